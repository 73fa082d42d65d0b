(x: y: z: x + y * z) 1 2 3
