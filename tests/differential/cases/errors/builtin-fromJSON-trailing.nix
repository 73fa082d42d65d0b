builtins.fromJSON "[1, 2] x"
