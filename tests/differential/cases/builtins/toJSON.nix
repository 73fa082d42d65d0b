builtins.toJSON { a = [ 1 2.5 "s\n\"q\"" null true ]; b = { }; c = ../_data/data.txt; "é" = "ü\t"; d = { outPath = "/o"; }; e = { __toString = s: "ts"; }; }
