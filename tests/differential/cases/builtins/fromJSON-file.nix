builtins.fromJSON (builtins.readFile ../_data/sample.json)
