let d = derivation { name = "multi-first"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "bin" "out" ]; }; in [ d.outPath d.bin.outPath d.outputName ]
