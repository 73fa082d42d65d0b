rec { x = { y = z; }; z = 5; }.x.y
