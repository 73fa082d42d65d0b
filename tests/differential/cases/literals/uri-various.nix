[ https://nixos.org mailto:user@example.com ftp://host/path urn:isbn:0451450523 a+b.c-d:xyz ]
