let d = derivation { name = "env-bool"; system = "x86_64-linux"; builder = "/bin/sh"; t = true; f = false; }; in [ d.drvPath d.outPath ]
