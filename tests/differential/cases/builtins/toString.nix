map toString [ 1 1.5 true false null "s" [ 1 [ 2 "x" ] null ] ./p { outPath = "o"; } { __toString = self: "me"; } ]
