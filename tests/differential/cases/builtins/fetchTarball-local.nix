builtins.readDir (builtins.fetchTarball "file://${toString ../_data/tree.tar.gz}")
