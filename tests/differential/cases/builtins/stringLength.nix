[ (builtins.stringLength "") (builtins.stringLength "hello") (builtins.stringLength "é") ]
