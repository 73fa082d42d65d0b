import <corpus/lib.nix>
