let f = x: x.missing; in f { }
