derivation { name = "minimal"; system = "x86_64-linux"; builder = "/bin/sh"; }
