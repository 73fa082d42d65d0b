# attrsMapToList f set: [ (f name value) … ] in the order of the names (nixpkgs' lib.mapAttrsToList).
_: f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs)
