let d = derivation { name = "multi-attrs"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; }; in [ (builtins.attrNames d) (builtins.attrNames d.dev) d.outputs ]
