[ (builtins.functionArgs ({ x, y ? 2 }: x)) (builtins.functionArgs (x: x)) (builtins.functionArgs builtins.add) ]
