let d = derivation { name = "env-outpath"; system = "x86_64-linux"; builder = "/bin/sh"; o = { outPath = "/some/where"; }; t = { __toString = s: "tostr"; }; }; in [ d.drvPath d.outPath ]
