let a = derivation { name = "mo-ctx"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; }; in builtins.getContext "${a.dev} ${a}"
