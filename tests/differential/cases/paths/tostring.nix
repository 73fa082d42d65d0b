toString ./a/b
