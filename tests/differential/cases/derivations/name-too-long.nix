(derivation { name = builtins.concatStringsSep "" (builtins.genList (x: "abcdefghij") 22); system = "x86_64-linux"; builder = "/bin/sh"; }).drvPath
