# toFileJsonFromFileYaml file: a file holding the JSON of a YAML file (a path or a derivation's
# output), converted at build time by Debian's gojq (makes uses yq).
{ __nixpkgs__, makeDerivation, ... }:
envSrc:
makeDerivation {
  name = "to-file-json-from-file-yaml";
  local = true;
  env = { inherit envSrc; };
  searchPaths.bin = [ __nixpkgs__.gojq ];
  builder = ''gojq --yaml-input . "$envSrc" > "$out"'';
}
