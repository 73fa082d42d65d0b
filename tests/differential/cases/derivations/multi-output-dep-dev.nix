let
  a = derivation { name = "mo-a"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" "lib" ]; };
  b = derivation { name = "mo-b"; system = "x86_64-linux"; builder = "/bin/sh"; inputs = [ a.dev a.lib ]; };
in [ b.drvPath b.outPath ]
