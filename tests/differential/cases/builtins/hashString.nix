map (t: builtins.hashString t "hello") [ "md5" "sha1" "sha256" "sha512" ]
