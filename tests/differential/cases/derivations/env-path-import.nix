let d = derivation { name = "env-path"; system = "x86_64-linux"; builder = "/bin/sh"; src = ./drv-data.txt; }; in [ d.drvPath d.outPath ]
