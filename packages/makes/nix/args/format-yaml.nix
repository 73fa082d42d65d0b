# formatYaml { name; targets; }: a script formatting the *.yaml and *.yml files under targets
# (relative to the working directory): each file is rewritten as it should be and the script
# fails when one was not (as makes with prettier --check, then --write). Debian ships no
# prettier; the closest real tool there is the `yaml` library prettier's YAML support is built on
# (node-yaml, run by Debian's nodejs): comments kept, 2-space indentation, sequences indented
# under their key, single spaces around values.
{ __nixpkgs__, makeScript, toBashArray, ... }:
{ name, targets, ... }:
makeScript {
  name = "format-yaml-for-${name}";
  replace = {
    __argTargets__ = toBashArray targets;
    __argFormatter__ = ./format-yaml.js;
  };
  searchPaths = {
    bin = [ __nixpkgs__.findutils __nixpkgs__.nodejs ];
    nodeModule = [ "${__nixpkgs__.node-yaml}/share/nodejs" ];
  };
  entrypoint = ./format-yaml.sh;
}
