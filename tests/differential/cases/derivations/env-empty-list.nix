let d = derivation { name = "env-empty-list"; system = "x86_64-linux"; builder = "/bin/sh"; l = [ ]; }; in [ d.drvPath d.outPath ]
