# options: envVarsForTerraform.<name> (attrsOf str: variable = value)
# outputs: /envVarsForTerraform/<name>, a template exporting TF_VAR_<variable> when sourced
{ lib, config, __toModuleOutputs__, makeEnvVarsForTerraform, ... }: {
  options.envVarsForTerraform = lib.mkOption {
    type = lib.types.attrsOf (lib.types.attrsOf lib.types.str);
    default = { };
    description = "Sets of Terraform variables: name = { var = \"value\"; } exported as TF_VAR_var.";
  };
  config.outputs = __toModuleOutputs__
    (name: mapping: {
      name = "/envVarsForTerraform/${name}";
      value = makeEnvVarsForTerraform { inherit name mapping; };
    })
    config.envVarsForTerraform;
}
