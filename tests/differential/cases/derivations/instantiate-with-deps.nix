let
  a = derivation { name = "wd-a"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.toFile "wd" "x"; };
in derivation { name = "wd-b"; system = "x86_64-linux"; builder = "/bin/sh"; a = a; }
