# makeSecretForTerraformFromEnv { name; mapping; }: a template that, sourced at run time, exports
# TF_VAR_<name> with the value of the environment variable mapping.<name> (required; only the
# variable names are in the store).
{ makeTemplate, toBashMap, toDerivationName, ... }:
{ mapping, name }:
makeTemplate {
  name = "make-secret-for-terraform-from-env-for-${name}";
  replace = {
    __argName__ = toDerivationName name;
    __argMap__ = toBashMap mapping;
  };
  template = ./make-secret-for-terraform-from-env.sh;
}
