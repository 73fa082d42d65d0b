[ (derivation { name = "l1"; system = "x86_64-linux"; builder = "/bin/sh"; }) (derivation { name = "l2"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; }) ]
