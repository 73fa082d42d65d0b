let x = { y = { z = 1; }; }; in x
