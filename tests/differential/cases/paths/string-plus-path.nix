"str" + /some/path
