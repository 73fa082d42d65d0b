let d = derivation { name = "env-null"; system = "x86_64-linux"; builder = "/bin/sh"; n = null; }; in [ d.drvPath d.outPath ]
