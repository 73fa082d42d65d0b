# options: secretsForTerraformFromEnv.<name> (attrsOf str: terraform variable = environment variable)
# outputs: /secretsForTerraformFromEnv/<name>, templates exporting TF_VAR_<variable> from the
# environment when sourced (values are never in the store)
{ config, lib, __toModuleOutputs__, makeSecretForTerraformFromEnv, ... }: {
  options.secretsForTerraformFromEnv = lib.mkOption {
    type = lib.types.attrsOf (lib.types.attrsOf lib.types.str);
    default = { };
    description = "Sets of Terraform variables read from environment variables when a script runs.";
  };
  config.outputs = __toModuleOutputs__
    (name: mapping: {
      name = "/secretsForTerraformFromEnv/${name}";
      value = makeSecretForTerraformFromEnv { inherit name mapping; };
    })
    config.secretsForTerraformFromEnv;
}
