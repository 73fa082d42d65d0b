# options: formatBash.enable (bool, false), formatBash.targets (listOf str, [ "/" ])
# outputs: /formatBash, formatting the bash files under the targets with shfmt (in CI: checks)
{ config, lib, formatBash, ... }: {
  options.formatBash = {
    enable = lib.mkEnableOption "formatting the project's bash files with shfmt";
    targets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/" ];
      description = "Files and directories to format, relative to the project (\"/scripts\").";
    };
  };
  config.outputs."/formatBash" = lib.mkIf config.formatBash.enable (formatBash {
    name = "builtin";
    targets = map (rel: "." + rel) config.formatBash.targets;
  });
}
