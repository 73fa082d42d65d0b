builtins.fromJSON ''{"a": [1, 2.5, -3, "s\n\u00e9", null, true, false], "b": {"c": {}}, "d": 1e3, "e": -0.5}''
