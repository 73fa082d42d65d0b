[ (builtins.seq 1 2) (builtins.seq { a = throw "lazy inside"; } "ok") ]
