./relative-file
