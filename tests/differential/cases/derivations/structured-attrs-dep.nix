let
  a = derivation { name = "sa-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  d = derivation { name = "sa-b"; system = "x86_64-linux"; builder = "/bin/sh"; __structuredAttrs = true; deps = [ a ]; };
in [ d.drvPath d.outPath ]
