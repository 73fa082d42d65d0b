[ (builtins.pathExists ../_data/data.txt) (builtins.pathExists ./nope) (builtins.pathExists "/") ]
