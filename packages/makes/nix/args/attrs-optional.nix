# attrsOptional cond set: set when cond, else { } (nixpkgs' lib.optionalAttrs).
_: cond: attrs: if cond then attrs else { }
