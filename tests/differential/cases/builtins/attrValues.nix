builtins.attrValues { z = 1; b = 2; a = 3; }
