let
  a = derivation { name = "tf-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  f = builtins.toFile "refs" "${a}";
in f
