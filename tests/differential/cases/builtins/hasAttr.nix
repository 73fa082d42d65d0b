[ (builtins.hasAttr "a" { a = null; }) (builtins.hasAttr "b" { a = 1; }) ]
