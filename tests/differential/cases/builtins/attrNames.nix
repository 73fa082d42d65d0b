builtins.attrNames { z = 1; b = 2; a = 3; "B" = 4; }
