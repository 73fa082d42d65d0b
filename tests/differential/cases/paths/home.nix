~/config/file
