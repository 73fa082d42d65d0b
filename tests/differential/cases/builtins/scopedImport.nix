builtins.scopedImport { scopedVar = 41; } ../_data/scoped.nix
