# makeEnvVarsForTerraform { name; mapping; }: as makeEnvVars, exporting TF_VAR_<name> for each
# name = "value" of mapping.
{ makeTemplate, toBashMap, toDerivationName, ... }:
{ mapping, name }:
makeTemplate {
  name = "make-env-vars-for-terraform-for-${name}";
  replace = {
    __argName__ = toDerivationName name;
    __argMap__ = toBashMap mapping;
  };
  template = ./make-env-vars-for-terraform.sh;
}
