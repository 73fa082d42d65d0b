builtins.fetchurl "file://${toString ../_data/data.txt}"
