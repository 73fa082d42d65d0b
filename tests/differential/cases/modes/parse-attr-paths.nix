{ f, y, z, v }: { a.b.c = 1; "d".e = 2; ${f}.g = 3; x = y.${z}; w = v."u t"; }
