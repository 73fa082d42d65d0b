{ a, b, c, d }: if a then assert b; c else with d; e
