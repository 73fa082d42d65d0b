{ dev = (derivation { name = "mo-inst"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; }).dev; }
