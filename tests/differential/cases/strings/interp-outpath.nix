let s = { outPath = "/some/path"; }; in "x${s}y"
