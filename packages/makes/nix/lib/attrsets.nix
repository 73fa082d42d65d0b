# nixpkgs' lib.attrsets, written for m: the commonly used functions, same names and results.
lib:
let
  inherit (builtins) attrNames attrValues concatMap elemAt filter foldl' getAttr hasAttr head isAttrs
    isList length listToAttrs mapAttrs tail zipAttrsWith;
in
rec {
  inherit attrNames attrValues getAttr hasAttr listToAttrs mapAttrs zipAttrsWith;
  inherit (builtins) catAttrs intersectAttrs removeAttrs;
  attrByPath = attrPath: default: set:
    let
      lenAttrPath = length attrPath;
      go = n: s:
        if n == lenAttrPath then s
        else let attr = elemAt attrPath n; in if s ? ${attr} then go (n + 1) s.${attr} else default;
    in go 0 set;
  hasAttrByPath = attrPath: e:
    let
      lenAttrPath = length attrPath;
      go = n: s: n == lenAttrPath || (let attr = elemAt attrPath n; in if s ? ${attr} then go (n + 1) s.${attr} else false);
    in go 0 e;
  setAttrByPath = attrPath: value:
    let
      len = length attrPath;
      go = n: if n == len then value else { ${elemAt attrPath n} = go (n + 1); };
    in go 0;
  getAttrFromPath = attrPath: set:
    attrByPath attrPath (abort ("cannot find attribute '" + builtins.concatStringsSep "." attrPath + "'")) set;
  attrVals = nameList: set: map (x: set.${x}) nameList;
  getAttrs = names: attrs: genAttrs names (name: attrs.${name});
  nameValuePair = name: value: { inherit name value; };
  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
  filterAttrs = pred: set: removeAttrs set (filter (name: !pred name set.${name}) (attrNames set));
  filterAttrsRecursive = pred: set: listToAttrs (concatMap
    (name: let v = set.${name}; in
      if pred name v then [ (nameValuePair name (if isAttrs v then filterAttrsRecursive pred v else v)) ] else [ ])
    (attrNames set));
  foldlAttrs = f: init: set: foldl' (acc: name: f acc name set.${name}) init (attrNames set);
  foldAttrs = op: nul: list_of_attrs:
    foldl' (a: n: foldl' (o: name: o // { ${name} = op n.${name} (a.${name} or nul); }) a (attrNames n))
      { } (lib.lists.reverseList list_of_attrs);
  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if isAttrs attrs then concatMap (collect pred) (attrValues attrs)
    else [ ];
  mapAttrs' = f: set: listToAttrs (map (attr: f attr set.${attr}) (attrNames set));
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (attrNames attrs);
  attrsToList = mapAttrsToList nameValuePair;
  concatMapAttrs = f: v: foldl' (a: b: a // b) { } (attrValues (mapAttrs f v));
  mapAttrsRecursive = f: set: mapAttrsRecursiveCond (as: true) f set;
  mapAttrsRecursiveCond = cond: f: set:
    let
      recurse = path: mapAttrs (name: value:
        if isAttrs value && cond value then recurse (path ++ [ name ]) value else f (path ++ [ name ]) value);
    in recurse [ ] set;
  cartesianProduct = attrsOfLists:
    foldl' (listOfAttrs: attrName: concatMap
      (attrs: map (listValue: attrs // { ${attrName} = listValue; }) attrsOfLists.${attrName})
      listOfAttrs) [ { } ] (attrNames attrsOfLists);
  cartesianProductOfSets = cartesianProduct;
  isDerivation = value: value.type or null == "derivation";
  optionalAttrs = cond: as: if cond then as else { };
  zipAttrsWithNames = names: f: sets: listToAttrs (map
    (name: { inherit name; value = f name (builtins.catAttrs name sets); }) names);
  zipAttrs = zipAttrsWith (name: values: values);
  mergeAttrsList = list: foldl' (a: b: a // b) { } list;
  recursiveUpdateUntil = pred: lhs: rhs:
    let
      f = attrPath: zipAttrsWith (n: values:
        let here = attrPath ++ [ n ]; in
        if length values == 1 || pred here (elemAt values 1) (head values)
        then head values
        else f here values);
    in f [ ] [ rhs lhs ];
  recursiveUpdate = lhs: rhs:
    recursiveUpdateUntil (path: lhs: rhs: !(isAttrs lhs && isAttrs rhs)) lhs rhs;
  matchAttrs = pattern: attrs:
    builtins.all (name: let pat = pattern.${name}; in
      attrs ? ${name} && (if isAttrs pat then isAttrs attrs.${name} && matchAttrs pat attrs.${name} else pat == attrs.${name}))
      (attrNames pattern);
  unionOfDisjoint = x: y:
    let intersection = builtins.intersectAttrs x y;
    in if intersection == { } then x // y
       else throw "unionOfDisjoint: collision on ${builtins.concatStringsSep ", " (attrNames intersection)}";
}
