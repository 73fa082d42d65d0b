map builtins.splitVersion [ "1.2.3" "2.3pre1" "1_2-3" "" "a.b" ]
