[ (builtins.foldl' (a: b: a + b) 0 [ 1 2 3 4 ]) (builtins.foldl' (a: b: a ++ [ b ]) [ ] [ 1 2 ]) (builtins.foldl' (a: b: b) "init" [ ]) ]
