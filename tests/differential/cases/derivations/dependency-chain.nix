let
  mk = name: deps: derivation { inherit name deps; system = "x86_64-linux"; builder = "/bin/sh"; };
  a = mk "chain-a" [ ];
  b = mk "chain-b" [ a ];
  c = mk "chain-c" [ a b ];
  d = mk "chain-d" [ c ];
in [ d.drvPath d.outPath c.outPath ]
