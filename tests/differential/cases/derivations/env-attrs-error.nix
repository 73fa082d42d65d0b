(derivation { name = "attrs-env"; system = "x86_64-linux"; builder = "/bin/sh"; a = { x = 1; }; }).drvPath
