[ ((x: x) == (x: x)) (let f = x: x; in f == f) (let f = x: x; in [ f ] == [ f ]) (let s = { f = x: x; }; in s == s) ]
