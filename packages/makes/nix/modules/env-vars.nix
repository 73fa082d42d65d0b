# options: envVars.<name> (attrsOf str: variable = value)
# outputs: /envVars/<name>, a template exporting the variables when sourced
{ lib, config, __toModuleOutputs__, makeEnvVars, ... }: {
  options.envVars = lib.mkOption {
    type = lib.types.attrsOf (lib.types.attrsOf lib.types.str);
    default = { };
    description = "Sets of environment variables: name = { VAR = \"value\"; }.";
  };
  config.outputs = __toModuleOutputs__ (name: mapping: {
    name = "/envVars/${name}";
    value = makeEnvVars { inherit name mapping; };
  }) config.envVars;
}
