let k = "b"; s = { a = 1; b = 2; }; in s.${k}
