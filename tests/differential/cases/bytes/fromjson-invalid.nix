# fromJSON rejects ill-formed UTF-8 as Nix 2.8 (nlohmann::json) does
builtins.fromJSON "[\"a√\"]"
