[ (builtins.hasContext "plain") (builtins.hasContext "${builtins.toFile "f" "x"}") ]
