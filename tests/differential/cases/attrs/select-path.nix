{ a.b.c = 42; }.a.b.c
