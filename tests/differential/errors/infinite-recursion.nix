# A value defined in terms of itself.
let
  loop = { a = loop.a; };
in
  loop.a
