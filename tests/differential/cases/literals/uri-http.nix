http://example.org/foo?bar=1&baz=2
