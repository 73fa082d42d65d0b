builtins.fromTOML (builtins.readFile ../_data/sample.toml)
