let d = derivation { name = "env-float"; system = "x86_64-linux"; builder = "/bin/sh"; f = 3.14; g = 1.0e10; h = 0.1; }; in [ d.drvPath d.outPath ]
