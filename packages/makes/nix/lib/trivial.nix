# nixpkgs' lib.trivial and lib.fixedPoints, written for m: the same names and results.
lib:
let
  inherit (builtins) foldl' isFunction readFile fromJSON fromTOML;
in
rec {
  trivial = {
    id = x: x;
    const = x: _: x;
    flip = f: a: b: f b a;
    pipe = foldl' (x: f: f x);
    concat = x: y: x ++ y;
    "or" = x: y: x || y;
    "and" = x: y: x && y;
    xor = x: y: (!x) != (!y);
    bitAnd = builtins.bitAnd;
    bitOr = builtins.bitOr;
    bitXor = builtins.bitXor;
    boolToString = b: if b then "true" else "false";
    mergeAttrs = x: y: x // y;
    min = x: y: if x < y then x else y;
    max = x: y: if x > y then x else y;
    mod = base: int: base - (int * (builtins.div base int));
    compare = a: b: if a < b then -1 else if a > b then 1 else 0;
    isFunction = f: isFunction f || (f ? __functor && isFunction (f.__functor f));
    toFunction = v: if trivial.isFunction v then v else _: v;
    importJSON = path: fromJSON (readFile path);
    importTOML = path: fromTOML (readFile path);
    warn = msg: builtins.trace "warning: ${msg}";
    warnIf = cond: msg: if cond then trivial.warn msg else x: x;
    throwIf = cond: msg: if cond then throw msg else x: x;
    throwIfNot = cond: msg: if cond then x: x else throw msg;
    defaultTo = default: maybe: if maybe == null then default else maybe;
    functionArgs = f: if f ? __functor then f.__functionArgs or (builtins.functionArgs (f.__functor f)) else builtins.functionArgs f;
    setFunctionArgs = f: args: { __functor = self: f; __functionArgs = args; };
    inNixShell = false;
    inPureEvalMode = false;
  };

  fixedPoints = rec {
    fix = f: let x = f x; in x;
    fix' = f: let x = f x // { __unfix__ = f; }; in x;
    extends = overlay: f: final: let prev = f final; in prev // overlay final prev;
    composeExtensions = f: g: final: prev:
      let fApplied = f final prev; prev' = prev // fApplied; in fApplied // g final prev';
    composeManyExtensions = builtins.foldl' (acc: f: composeExtensions acc f) (final: prev: { });
    makeExtensible = makeExtensibleWithCustomName "extend";
    makeExtensibleWithCustomName = extenderName: rattrs: fix' (self: (rattrs self) // {
      ${extenderName} = f: makeExtensibleWithCustomName extenderName (extends f rattrs);
    });
  };
}
