# An explicit throw.
let
  check = v: if v > 1 then throw "value too large" else v;
in
  check 2
