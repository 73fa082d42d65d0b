/x//y
