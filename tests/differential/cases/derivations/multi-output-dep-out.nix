let
  a = derivation { name = "mo-a2"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; };
  b = derivation { name = "mo-b2"; system = "x86_64-linux"; builder = "/bin/sh"; x = a.out; y = "${a.dev}/include"; };
in [ b.drvPath b.outPath ]
