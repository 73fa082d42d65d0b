({ a ? throw "unused" }: 1) { a = 2; }
