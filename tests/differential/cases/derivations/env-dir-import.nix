let d = derivation { name = "env-dir"; system = "x86_64-linux"; builder = "/bin/sh"; src = ../_data/dir; }; in [ d.drvPath d.outPath ]
