let d = derivation { name = "env-special"; system = "x86_64-linux"; builder = "/bin/sh"; s = "quote\" backslash\\ newline\n tab\t dollar$ unicode é ☃"; }; in [ d.drvPath d.outPath ]
