builtins.getAttr "zz" { a = 1; }
