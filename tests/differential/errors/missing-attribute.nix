# Selecting an attribute that does not exist.
let
  set = { present = 1; };
in
  set.absent
