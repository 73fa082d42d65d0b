let v = 1; in rec { inherit v; w = v + 1; }
