with { }; let z = 1; in z
