# makeEnvVars { name; mapping; }: a template that, sourced (searchPaths.source), exports each
# VAR = "value" of mapping (the values are taken as they are; they land in the store).
{ makeTemplate, toBashMap, toDerivationName, ... }:
{ mapping, name }:
makeTemplate {
  name = "make-env-vars-for-${name}";
  replace = {
    __argName__ = toDerivationName name;
    __argMap__ = toBashMap mapping;
  };
  template = ./make-env-vars.sh;
}
