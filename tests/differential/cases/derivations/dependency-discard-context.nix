let
  a = derivation { name = "dc-a"; system = "x86_64-linux"; builder = "/bin/sh"; };
  b = derivation { name = "dc-b"; system = "x86_64-linux"; builder = "/bin/sh"; ref = builtins.unsafeDiscardStringContext "${a}"; };
in [ b.drvPath b.outPath ]
