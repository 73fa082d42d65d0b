# options: lintNix.enable (bool, false), lintNix.targets (listOf str, [ "/" ])
# outputs: /lintNix, checking every .nix file under the targets with Nix's parser
{ config, lib, lintNix, ... }: {
  options.lintNix = {
    enable = lib.mkEnableOption "checking the project's Nix files";
    targets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/" ];
      description = "Directories (or files) to check, relative to the project.";
    };
  };
  config.outputs."/lintNix" = lib.mkIf config.lintNix.enable (lintNix {
    name = "builtin";
    targets = map (rel: "." + rel) config.lintNix.targets;
  });
}
