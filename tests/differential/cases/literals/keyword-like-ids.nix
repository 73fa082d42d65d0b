let ifx = 1; letter = 2; inherits = 3; orx = 4; in [ ifx letter inherits orx ]
