import ../_data/double.nix 21
