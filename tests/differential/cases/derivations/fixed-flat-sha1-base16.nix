let d = derivation { name = "fixed-sha1"; system = "x86_64-linux"; builder = "/bin/sh"; outputHashAlgo = "sha1"; outputHash = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"; }; in [ d.drvPath d.outPath ]
