[ (builtins.div 7 2) (builtins.div 7.0 2) (builtins.mul 3 4) (builtins.mul 1.5 2) (builtins.sub 10 3) (builtins.sub 1 0.5) ]
