let f = x: with { y = 1; }; x + y; in f 10
