# projectPathLsDirs "/rel": names of the directories directly under the project's /rel.
{ projectPath, ... }:
rel:
let entries = builtins.readDir (projectPath rel);
in map builtins.unsafeDiscardStringContext
  (builtins.filter (name: entries.${name} == "directory") (builtins.attrNames entries))
