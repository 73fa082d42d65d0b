let f = x: y: x * y; g = f 3; in g 4
