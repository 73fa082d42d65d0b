[ ./some/path /abs ]
