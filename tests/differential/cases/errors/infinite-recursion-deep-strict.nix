let xs = { a = xs; }; in builtins.deepSeq xs 1
