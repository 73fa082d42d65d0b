let s = { __toString = self: "custom"; }; in "x${s}y"
