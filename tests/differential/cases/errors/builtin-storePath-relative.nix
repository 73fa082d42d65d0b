builtins.storePath "relative/x"
