builtins.path { path = ../_data/data.txt; name = "data"; recursive = false; sha256 = builtins.hashFile "sha256" ../_data/data.txt; }
