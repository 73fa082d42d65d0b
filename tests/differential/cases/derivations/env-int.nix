let d = derivation { name = "env-int"; system = "x86_64-linux"; builder = "/bin/sh"; n = 42; neg = -7; }; in [ d.drvPath d.outPath ]
