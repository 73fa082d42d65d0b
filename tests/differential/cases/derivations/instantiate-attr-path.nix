{ a = derivation { name = "iap-a"; system = "x86_64-linux"; builder = "/bin/sh"; }; b = derivation { name = "iap-b"; system = "x86_64-linux"; builder = "/bin/sh"; env = 1; }; }
