let d = derivation { name = "path-str"; system = "x86_64-linux"; builder = "/bin/sh"; p = "${toString /m-test-fixed/drv-data.txt}"; }; in [ d.drvPath d.outPath ]
