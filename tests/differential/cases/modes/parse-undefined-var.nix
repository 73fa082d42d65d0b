undefinedVariable + 1
