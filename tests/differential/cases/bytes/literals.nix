# Non-UTF-8 bytes in string literals, indented strings, attribute names and comments: şÿ
let
  s = "aÿbÃ©c";
  i = ''
    xÃ
    y©
  '';
  attrs = { "kÿ" = 1; "kÃ©" = 2; "k€" = 3; k = 4; };
in {
  lengths = map builtins.stringLength [ s i "Ã" "Ã©" ];
  hashes = map (builtins.hashString "sha256") [ s i ];
  md5 = builtins.hashString "md5" "ÿşı";
  names = map (builtins.hashString "sha1") (builtins.attrNames attrs);
  order = [ ("Ã" < "Ã©") ("ÿ" > "Ã©") ("€" < "Ã") ("z" < "€") ];
  eq = [ ("Ã©" == "Ã" + "©") ("Ã" == "Ã©") ];
}
