# A syntax error: the attribute set is never closed.
let
  a = {
    b = 1;
  c = 2;
in a
