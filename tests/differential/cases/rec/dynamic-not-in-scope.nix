let k = "n"; in rec { ${k} = 1; m = 2; }
