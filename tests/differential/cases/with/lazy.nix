with { a = throw "no"; b = 3; }; b
