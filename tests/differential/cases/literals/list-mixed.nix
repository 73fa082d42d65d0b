[ 1 "two" 3.0 true null { a = 1; } [ ] (x: x) ]
