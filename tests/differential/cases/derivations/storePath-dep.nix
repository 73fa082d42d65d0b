let
  f = builtins.toFile "sp-dep" "content";
  d = derivation { name = "storepath-dep"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.storePath "${f}"; };
in [ d.drvPath d.outPath ]
