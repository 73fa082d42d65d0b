builtins.path { path = ../_data/dir; name = "mydir"; }
