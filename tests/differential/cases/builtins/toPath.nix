[ (builtins.toPath "/a/b/../c") (builtins.toPath "/x//y") ]
