builtins.ceil "x"
