# lintWithAjv { name; schema; targets; }: a script validating each target (JSON or YAML files)
# against the JSON schema `schema`, printing Ajv's errors and failing when one is invalid. makes
# installs ajv-cli from npm at run time; here the validator is Debian's Ajv (node-ajv 6: JSON
# Schema draft-07, -06 and -04) with js-yaml for YAML targets, run by Debian's nodejs.
{ __nixpkgs__, makeScript, toBashArray, ... }:
{ name, schema, targets }:
makeScript {
  name = "lint-with-ajv-for-${name}";
  replace = {
    __argSchema__ = schema;
    __argTargets__ = toBashArray targets;
    __argValidator__ = ./lint-with-ajv.js;
  };
  searchPaths = {
    bin = [ __nixpkgs__.nodejs ];
    nodeModule = map (p: "${p}/share/nodejs") [
      __nixpkgs__.node-ajv
      __nixpkgs__.node-fast-deep-equal
      __nixpkgs__.node-json-schema-traverse
      __nixpkgs__.node-uri-js
      __nixpkgs__.node-js-yaml
    ];
  };
  entrypoint = ./lint-with-ajv.sh;
}
