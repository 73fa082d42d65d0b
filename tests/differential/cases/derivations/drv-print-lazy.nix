derivation { name = "print-lazy"; system = "x86_64-linux"; builder = "/bin/sh"; }
