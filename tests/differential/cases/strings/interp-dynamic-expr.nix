"${if true then "yes" else "no"}-${builtins.concatStringsSep "," ["a" "b"]}"
