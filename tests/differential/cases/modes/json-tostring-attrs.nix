{ a = { outPath = "/out"; }; b = { __toString = s: "str"; }; }
