let d = derivation { name = "fixed-bad"; system = "x86_64-linux"; builder = "/bin/sh"; outputHashAlgo = "sha256"; outputHash = "nothex"; }; in d.drvPath
