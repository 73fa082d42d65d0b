let d = derivation { name = "fixed-sha1"; system = "x86_64-linux"; builder = "/bin/sh"; outputHashAlgo = "sha1"; outputHash = builtins.hashString "sha1" "other"; }; in [ d.drvPath d.outPath ]
