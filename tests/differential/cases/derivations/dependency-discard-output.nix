let
  a = derivation { name = "do-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  b = derivation { name = "do-b"; system = "x86_64-linux"; builder = "/bin/sh"; drv = builtins.unsafeDiscardOutputDependency a.drvPath; };
in [ b.drvPath b.outPath ]
