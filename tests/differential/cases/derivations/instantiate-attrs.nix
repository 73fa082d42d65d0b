{ a = derivation { name = "ia"; system = "x86_64-linux"; builder = "/bin/sh"; }; b = { c = derivation { name = "ib"; system = "x86_64-linux"; builder = "/bin/sh"; }; }; }
