[ "zero" "one" "two" ]
