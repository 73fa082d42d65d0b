# toFileYaml name value: a file holding value as YAML. makes uses yq -y; Debian's gojq (jq in Go,
# with go-yaml) writes it here, so the build needs no Python.
{ __nixpkgs__, makeDerivation, toFileJson, ... }:
name: expr:
makeDerivation {
  inherit name;
  local = true;
  env.envData = toFileJson name expr;
  searchPaths.bin = [ __nixpkgs__.gojq ];
  builder = ''gojq --yaml-output . "$envData" > "$out"'';
}
