let
  a = derivation { name = "dep-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  b = derivation { name = "dep-b"; system = "x86_64-linux"; builder = "/bin/sh"; input = a; };
in [ b.drvPath b.outPath ]
