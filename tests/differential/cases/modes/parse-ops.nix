{ a, b, c, d, f, x, y }: [ (a + b * c) (a - -b) (!a || b && c -> d) (a ++ b ++ c) (a // b // c) (a == b) (a != b) (a < b) (a <= b) (a > b) (a >= b) (a ? b.c) (f x y) (a.b.c or d) ]
