let d = derivation { name = "env-list"; system = "x86_64-linux"; builder = "/bin/sh"; l = [ 1 "two" true false null 2.5 [ "nested" [ 3 ] ] ]; }; in [ d.drvPath d.outPath ]
