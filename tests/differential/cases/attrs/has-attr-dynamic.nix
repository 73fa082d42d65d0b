let k = "x"; in { x = 1; } ? ${k}
