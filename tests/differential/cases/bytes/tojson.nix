builtins.toJSON [ "ÿÃ©" { "kş" = "\tÃ"; } ]
