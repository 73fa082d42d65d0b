{ x }: with x; [ y (z: z) ]
