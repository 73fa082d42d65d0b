# options: inputs (attrsOf anything-unmerged; m adds inputs.nixpkgs, the host's packages, at the
#          lowest priority, so `inputs.nixpkgs = fetchNixpkgs { … }` replaces it)
# outputs: none
{ lib, ... }: {
  options.inputs = lib.mkOption {
    type = lib.types.attrsOf lib.types.raw;
    default = { };
    description = "Values given to every main.nix and module as the `inputs` argument.";
  };
}
