{ a = { b = [ 1 2 ]; c = throw "unused"; }; }
