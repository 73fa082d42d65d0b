{ int = 1; float = 1.5; str = "s<&>\"'"; bool = true; null = null; list = [ 1 [ ] ]; nested = { a.b = 2; }; }
