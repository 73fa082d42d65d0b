[ (builtins.split "(a)b" "abc") (builtins.split "([ac])" "abc") (builtins.split "(a)|(c)" "abc") (builtins.split "[[:space:]]+" " foo  bar ") (builtins.split "x" "") ]
