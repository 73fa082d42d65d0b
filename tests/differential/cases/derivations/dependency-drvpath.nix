let
  a = derivation { name = "dp-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  b = derivation { name = "dp-b"; system = "x86_64-linux"; builder = "/bin/sh"; drv = a.drvPath; };
in [ b.drvPath b.outPath ]
