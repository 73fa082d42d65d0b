let
  f = builtins.toFile "script.sh" "echo hello";
  d = derivation { name = "tofile"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ f ]; };
in [ f d.drvPath d.outPath ]
