builtins.findFile [ ] "nothing-here"
