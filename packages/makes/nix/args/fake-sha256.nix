# fakeSha256: a placeholder hash (nixpkgs' lib.fakeSha256); a fixed-output build with it fails and
# reports the real hash.
_: "0000000000000000000000000000000000000000000000000000"
