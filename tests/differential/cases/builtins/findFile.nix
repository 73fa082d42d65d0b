builtins.findFile [ { prefix = "corpus"; path = toString ../_data; } ] "corpus/data.txt"
