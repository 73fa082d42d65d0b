let d = derivation { name = "aarch"; system = "aarch64-darwin"; builder = "/bin/sh"; }; in [ d.drvPath d.outPath ]
