let d = derivation { name = "fixed-md5"; system = "x86_64-linux"; builder = "/bin/sh"; outputHashAlgo = "md5"; outputHash = builtins.hashString "md5" "x"; }; in [ d.drvPath d.outPath ]
