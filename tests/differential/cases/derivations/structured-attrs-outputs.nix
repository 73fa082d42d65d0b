let d = derivation { name = "structured-out"; system = "x86_64-linux"; builder = "/bin/sh"; __structuredAttrs = true; outputs = [ "out" "dev" ]; }; in [ d.drvPath d.dev.outPath ]
