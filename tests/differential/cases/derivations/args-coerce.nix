let d = derivation { name = "args-coerce"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ 1 true null 1.5 ./drv-data.txt ]; }; in [ d.drvPath d.outPath ]
