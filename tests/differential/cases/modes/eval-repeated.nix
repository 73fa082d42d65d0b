let x = [ 1 2 ]; in [ x x { a = x; b = x; } ]
