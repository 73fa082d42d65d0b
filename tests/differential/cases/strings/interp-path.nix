let p = ./strings-data; in "${builtins.toString p}"
