let
  a = derivation { name = "dep-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  b = derivation { name = "dep-b2"; system = "x86_64-linux"; builder = "/bin/sh"; script = "cp ${a}/bin $out"; };
in [ b.drvPath b.outPath ]
