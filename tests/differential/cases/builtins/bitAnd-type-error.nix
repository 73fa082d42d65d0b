builtins.bitAnd 1.0 2
