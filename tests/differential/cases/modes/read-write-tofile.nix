builtins.toFile "rw" "read write mode"
