# listFilesRecursive dir: every file under dir (a path), as paths, directories descended into
# (nixpkgs' lib.filesystem.listFilesRecursive: symlinks are listed, not followed).
_:
let
  listFilesRecursive = dir: builtins.concatLists (map
    (name:
      let path = dir + "/${name}"; type = (builtins.readDir dir).${name};
      in if type == "directory" then listFilesRecursive path else [ path ])
    (builtins.attrNames (builtins.readDir dir)));
in
listFilesRecursive
