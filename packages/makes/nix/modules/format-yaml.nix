# options: formatYaml.enable (bool, false), formatYaml.targets (listOf str, [ "/" ])
# outputs: /formatYaml, formatting the *.yaml/*.yml files under the targets (fails when one was
# not formatted)
{ config, lib, formatYaml, ... }: {
  options.formatYaml = {
    enable = lib.mkEnableOption "formatting the project's YAML files";
    targets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/" ];
      description = "Directories (or files) to format, relative to the project.";
    };
  };
  config.outputs."/formatYaml" = lib.mkIf config.formatYaml.enable (formatYaml {
    name = "builtin";
    targets = map (rel: "." + rel) config.formatYaml.targets;
  });
}
