[ (builtins.substring 1 3 "abcdef") (builtins.substring 4 100 "abcdef") (builtins.substring 10 2 "abc") (builtins.substring 0 (-1) "abc") ]
