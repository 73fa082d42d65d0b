builtins.fromJSON (builtins.readFile ../_data/bad.json)
