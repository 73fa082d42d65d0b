[ (builtins.match "ab" "abc") (builtins.match "a(b)(c)" "abc") (builtins.match "[[:space:]]*([a-z]+).*" "  hello world") (builtins.match "(a)|(b)" "b") (builtins.match ".*" "") ]
