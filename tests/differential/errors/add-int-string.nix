# Adding a string to an integer.
let
  n = 1;
in
  n + "a"
