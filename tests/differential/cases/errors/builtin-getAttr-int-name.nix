builtins.getAttr 1 { }
