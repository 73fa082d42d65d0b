# projectPathsMatching { regex; targets; }: project-relative paths ("/dir/file") of the files under
# each target whose path in the store matches regex (builtins.match: the whole path, as in makes,
# for example ".*\\.sh").
{ listFilesRecursive, projectPath, removePrefix, ... }:
{ regex, targets }:
let
  inTarget = target:
    let
      inStore = projectPath target;
      matching = builtins.filter (path: builtins.match regex path != null)
        (listFilesRecursive inStore);
      prefix = if target == "/" then "" else target;
    in map (path: builtins.unsafeDiscardStringContext (prefix + removePrefix inStore path)) matching;
in
builtins.concatLists (map inTarget targets)
