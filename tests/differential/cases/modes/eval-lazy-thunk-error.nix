{ a = throw "lazy"; b = 1; }
