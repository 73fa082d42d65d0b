let d = derivation { name = "args"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo hi > $out" ]; }; in [ d.drvPath d.outPath ]
