map (t: builtins.hashFile t ../_data/data.txt) [ "md5" "sha1" "sha256" "sha512" ]
