let a' = 1; _b = 2; c-d = 3; e_f' = 4; x123 = 5; in [ a' _b c-d e_f' x123 ]
