let k = "mid"; in { top.${k}.leaf = 1; }
