builtins.filter (x: builtins.isInt x && x > 1) [ 1 2 "a" 3 ]
