let s = { a = 1; b = s.a + 1; }; in s.b
