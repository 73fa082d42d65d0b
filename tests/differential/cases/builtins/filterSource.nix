builtins.filterSource (path: type: type != "directory") ../_data/dir
