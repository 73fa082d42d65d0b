builtins.toJSON [ 0.1 1.0 1.0e20 1.5e-10 (-2.5) 100.0 ]
