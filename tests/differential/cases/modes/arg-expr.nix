{ f, l }: map f l
