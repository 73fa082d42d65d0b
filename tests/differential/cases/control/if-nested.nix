if false then 1 else if true then 2 else 3
