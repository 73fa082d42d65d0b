(derivation { name = "env-throw"; system = "x86_64-linux"; builder = "/bin/sh"; broken = throw "forced by drvPath"; }).drvPath
