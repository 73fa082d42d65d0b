# A variable that is not in scope.
let
  known = 1;
in
  known + unknown
