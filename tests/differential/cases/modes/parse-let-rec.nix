{ b, c, k }: let a = 1; inherit b; inherit (c) d e; f.g = 2; in rec { h = a; i.j = h; ${k} = 1; "l" = 2; }
