builtins.path { path = ../_data/dir; filter = p: t: baseNameOf p != "b.nix"; }
