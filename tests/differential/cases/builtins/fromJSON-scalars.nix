map builtins.fromJSON [ "1" "\"s\"" "null" "[]" "{}" "12345678901" "1.5e2" ]
