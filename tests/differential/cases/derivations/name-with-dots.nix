let d = derivation { name = "foo-1.2.3_rc+4=x?y"; system = "x86_64-linux"; builder = "/bin/sh"; }; in [ d.drvPath d.outPath d.name ]
