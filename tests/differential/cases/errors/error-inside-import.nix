import ../_data/double.nix "not an int"
