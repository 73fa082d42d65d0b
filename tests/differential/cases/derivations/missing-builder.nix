(derivation { name = "nob"; system = "x86_64-linux"; }).drvPath
