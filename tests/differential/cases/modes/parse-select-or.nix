{ a, b, c, x }: [ (a.b or c) (a.${b} or c.d) ]
