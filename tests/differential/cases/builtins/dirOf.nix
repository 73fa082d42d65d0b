[ (dirOf "/a/b/c") (dirOf "/a/b/c/") (dirOf "c") (dirOf "/") (dirOf "a/b") (dirOf ./x/y.nix) ]
