let d = derivation { name = "outputs-str"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = "out doc"; }; in [ d.drvPath d.doc.outPath ]
