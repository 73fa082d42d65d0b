# stringCapitalize str: str with its first character upper-cased (ASCII).
_: str:
let
  first = builtins.substring 0 1 str;
  upper = builtins.replaceStrings
    (map (i: builtins.substring i 1 "abcdefghijklmnopqrstuvwxyz") (builtins.genList (i: i) 26))
    (map (i: builtins.substring i 1 "ABCDEFGHIJKLMNOPQRSTUVWXYZ") (builtins.genList (i: i) 26))
    first;
in
upper + builtins.substring 1 (builtins.stringLength str) str
