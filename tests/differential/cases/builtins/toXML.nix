builtins.toXML { a = 1; b = "s"; c = [ true null 1.5 ]; d = x: x; e = { y, z ? 1 }: y; f = ./p; }
