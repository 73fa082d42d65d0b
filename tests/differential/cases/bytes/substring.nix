# substring and stringLength count bytes, over multibyte characters and invalid bytes
let
  s = "aÃ©bâ‚¬ðŸ˜€ÿz";
  n = builtins.stringLength s;
  bytes = builtins.genList (i: builtins.substring i 1 s) n;
  rejoined = builtins.concatStringsSep "" bytes;
in {
  inherit n;
  pieces = map (p: builtins.hashString "md5" p) bytes;
  lens = map builtins.stringLength bytes;
  same = rejoined == s;
  sameHash = builtins.hashString "sha256" rejoined == builtins.hashString "sha256" s;
  interp = "${builtins.substring 1 1 s}${builtins.substring 2 1 s}" == "Ã©";
  cut = map (i: builtins.hashString "sha1" (builtins.substring i 3 s)) [ 0 1 2 3 4 5 6 7 8 9 10 11 ];
  tail = builtins.stringLength (builtins.substring 5 100 s);
  replaced = builtins.hashString "md5" (builtins.replaceStrings [ "Ã" "ÿ" ] [ "C" "©" ] s);
  split = map (x: if builtins.isList x then x else builtins.stringLength x) (builtins.split "(â‚)" s);
  matched = builtins.match "a(.)(.).*" s == [ "Ã" "©" ];
}
