builtins.trace "tracing to stderr" 42
