# An explicit abort.
let
  stop = msg: abort msg;
in
  stop "giving up"
