builtins.readFile ./missing-file
