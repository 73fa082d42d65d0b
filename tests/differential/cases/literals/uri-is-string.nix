builtins.typeOf http://x.org/
