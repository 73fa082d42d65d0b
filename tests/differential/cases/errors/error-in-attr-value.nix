{ ok = 1; bad = { inner = undefinedVar2; }; }
