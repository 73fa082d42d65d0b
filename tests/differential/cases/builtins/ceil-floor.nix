[ (builtins.ceil 1.1) (builtins.ceil (-1.1)) (builtins.floor 1.9) (builtins.floor (-1.9)) (builtins.ceil 3) (builtins.floor 2.0) ]
