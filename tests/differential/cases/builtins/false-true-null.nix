[ builtins.false builtins.true builtins.null ]
