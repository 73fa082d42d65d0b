let
  f = derivation { name = "fixed-dep"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; };
  d = derivation { name = "uses-fixed"; system = "x86_64-linux"; builder = "/bin/sh"; src = f; };
in [ d.drvPath d.outPath ]
