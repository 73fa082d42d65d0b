let s = builtins.appendContext "foo" { }; in [ s (builtins.hasContext s) ]
