# attrsMerge [ a b … ]: the sets merged left to right, nested sets merged recursively
# (builtins.foldl' lib.recursiveUpdate { } in makes). A derivation is a value, not merged into.
_:
let
  recursiveUpdate = a: b: a // builtins.mapAttrs
    (name: v:
      if builtins.hasAttr name a && builtins.isAttrs v && builtins.isAttrs a.${name}
        && !(v ? type && v.type == "derivation") && !(a.${name} ? type && a.${name}.type == "derivation")
      then recursiveUpdate a.${name} v
      else v)
    b;
in
builtins.foldl' recursiveUpdate { }
