let a = [ 1 ]; in (a ++ a) ++ a == a ++ (a ++ a)
