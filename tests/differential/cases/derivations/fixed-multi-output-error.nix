let d = derivation { name = "fixed-multi"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; }; in d.drvPath
