(args @ { a, ... }: builtins.attrNames args) { a = 1; z = 2; }
