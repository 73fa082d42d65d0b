[ (builtins.typeOf ./.) (builtins.isPath ./.) (builtins.isPath "/x") ]
