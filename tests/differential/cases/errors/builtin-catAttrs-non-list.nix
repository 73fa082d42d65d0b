builtins.catAttrs "a" { }
