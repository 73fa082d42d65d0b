builtins.fetchTree { type = "path"; path = toString ../_data/dir; }
