let a = { "foo bar" = 1; }; in a."foo bar"
