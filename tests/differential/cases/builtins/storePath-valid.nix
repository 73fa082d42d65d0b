let p = builtins.toFile "sp" "store path"; in builtins.storePath "${p}"
