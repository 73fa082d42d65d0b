let d = derivation { name = "ctx"; system = "x86_64-linux"; builder = "/bin/sh"; }; in builtins.getContext "${d} ${d.drvPath} ${builtins.toFile "f" "x"}"
