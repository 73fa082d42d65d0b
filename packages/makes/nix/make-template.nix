# makeTemplate: `template` with each `__argName__` placeholder of `replace` substituted; the build
# fails when a placeholder of `replace` does not occur in the template, or when one is left.
{ lib, makeDerivation, makeSearchPaths, ... }:
{ name, template ? "", replace ? { }, replaceBase64 ? { }, searchPaths ? { }
, local ? true, help ? null, withAction ? true }:
let
  placeholderRegex = "__arg[A-Z][a-zA-Z0-9]{2,}__";
  checked = lib.checkNames
    (k: builtins.match placeholderRegex k != null)
    (k: "makeTemplate '${name}': invalid placeholder: ${k}; placeholders must match ${placeholderRegex}, for example __argExample123__");
  text = lib.asContent template;
in
makeDerivation {
  name = "make-template-for-${name}";
  inherit local help;
  action = if withAction then ''cat "$1/template" 1>&2'' else null;
  env = checked replace // checked replaceBase64 // {
    __envArgumentsRegex = placeholderRegex;
    __envArgumentNames = builtins.concatStringsSep " " (builtins.attrNames replace);
    __envArgumentBase64Names = builtins.concatStringsSep " " (builtins.attrNames replaceBase64);
    __envTemplate =
      if searchPaths == { } then text
      else ''
        source "${makeSearchPaths searchPaths}/template"

        ${text}
      '';
  };
  builder = ./make-template.sh;
}
