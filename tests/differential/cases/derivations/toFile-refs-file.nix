let
  f1 = builtins.toFile "one" "1";
  f2 = builtins.toFile "two" "2 ${f1}";
  d = derivation { name = "tf-refs"; system = "x86_64-linux"; builder = "/bin/sh"; src = f2; };
in [ f2 d.drvPath d.outPath ]
