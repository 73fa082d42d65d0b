{ foobar = 1; }.fooba
