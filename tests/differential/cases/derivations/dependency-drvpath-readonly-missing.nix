let
  a = derivation { name = "never-written-${builtins.hashString "sha1" "unique-ro"}"; system = "x86_64-linux"; builder = "/bin/sh"; };
  b = derivation { name = "ro-b"; system = "x86_64-linux"; builder = "/bin/sh"; drv = a.drvPath; };
in b.drvPath
