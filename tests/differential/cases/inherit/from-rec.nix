let s = rec { p = 1; q = p + 1; }; in { inherit (s) q; }
