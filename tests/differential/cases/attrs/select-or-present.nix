{ a = null; }.a or 5
