builtins.hashFile "sha256" ./no-such-file
