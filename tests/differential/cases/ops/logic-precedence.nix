[ (true || false && false) (!true || true) (false -> true || false) (1 == 1 && 2 < 3) ]
