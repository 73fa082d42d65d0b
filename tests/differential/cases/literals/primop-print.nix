[ builtins.add builtins.map (builtins.add 1) ]
