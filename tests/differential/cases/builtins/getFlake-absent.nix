builtins ? getFlake
