[ (builtins.genList (i: i * i) 5) (builtins.genList (x: x) 0) ]
