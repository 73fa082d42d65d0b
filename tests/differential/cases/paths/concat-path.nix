/x + /y
