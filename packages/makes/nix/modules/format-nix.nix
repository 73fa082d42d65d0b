# options: formatNix.enable (bool, false), formatNix.targets (listOf str, [ "/" ])
# outputs: /formatNix, normalising the whitespace of the project's .nix files (see args/format-nix.nix)
{ config, lib, formatNix, ... }: {
  options.formatNix = {
    enable = lib.mkEnableOption "formatting the project's Nix files";
    targets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/" ];
      description = "Directories (or files) to format, relative to the project.";
    };
  };
  config.outputs."/formatNix" = lib.mkIf config.formatNix.enable (formatNix {
    name = "builtin";
    targets = map (rel: "." + rel) config.formatNix.targets;
  });
}
