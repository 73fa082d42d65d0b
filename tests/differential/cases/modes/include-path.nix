import <extra/lib.nix>
