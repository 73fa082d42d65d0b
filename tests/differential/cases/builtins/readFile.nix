builtins.readFile ../_data/data.txt
