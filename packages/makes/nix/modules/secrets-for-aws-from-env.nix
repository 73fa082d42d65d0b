# options: secretsForAwsFromEnv.<name> = { accessKeyId; defaultRegion; secretAccessKey;
#   sessionToken; } (names of environment variables, AWS_* by default)
# outputs: /secretsForAwsFromEnv/<name> and /secretsForAwsFromEnv/__default__, templates that
# export the AWS_* variables from those variables when sourced (values are never in the store)
{ config, lib, __toModuleOutputs__, makeSecretForAwsFromEnv, ... }:
let
  nameOption = default: lib.mkOption {
    type = lib.types.str;
    inherit default;
    description = "Name of the environment variable holding it (default ${default}).";
  };
  makeOutput = name: { accessKeyId, defaultRegion, secretAccessKey, sessionToken }: {
    name = "/secretsForAwsFromEnv/${name}";
    value = makeSecretForAwsFromEnv { inherit name accessKeyId defaultRegion secretAccessKey sessionToken; };
  };
in
{
  options.secretsForAwsFromEnv = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        accessKeyId = nameOption "AWS_ACCESS_KEY_ID";
        defaultRegion = nameOption "AWS_DEFAULT_REGION";
        secretAccessKey = nameOption "AWS_SECRET_ACCESS_KEY";
        sessionToken = nameOption "AWS_SESSION_TOKEN";
      };
    });
    default = { };
    description = "AWS credentials read from environment variables when a script runs.";
  };
  config.outputs = __toModuleOutputs__ makeOutput (config.secretsForAwsFromEnv // {
    __default__ = {
      accessKeyId = "AWS_ACCESS_KEY_ID";
      defaultRegion = "AWS_DEFAULT_REGION";
      secretAccessKey = "AWS_SECRET_ACCESS_KEY";
      sessionToken = "AWS_SESSION_TOKEN";
    };
  });
}
