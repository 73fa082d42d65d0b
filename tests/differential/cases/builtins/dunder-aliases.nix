[ (__add 1 2) (__length [ 1 ]) (__typeOf __currentSystem) ]
