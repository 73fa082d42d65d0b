# Small helpers the framework needs (m has no nixpkgs lib).
rec {
  hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;

  hasSuffix = suffix: s:
    let
      ls = builtins.stringLength s;
      lx = builtins.stringLength suffix;
    in lx <= ls && builtins.substring (ls - lx) lx s == suffix;

  removePrefix = prefix: s:
    if hasPrefix prefix s
    then builtins.substring (builtins.stringLength prefix) (builtins.stringLength s) s
    else s;

  optionalAttrs = cond: attrs: if cond then attrs else { };

  # `attrs` after checking every name with `valid` (eagerly: a bad name fails even if unused).
  checkNames = valid: message: attrs:
    builtins.foldl' (acc: k: if valid k then acc else throw (message k)) attrs (builtins.attrNames attrs);

  # A word bash reads back as exactly `s`.
  escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
  escapeShellArgs = list: builtins.concatStringsSep " " (map escapeShellArg list);

  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);

  # A valid store path name: leading dots dropped, runs of other characters become "-".
  toDerivationName = s:
    let
      plain = builtins.unsafeDiscardStringContext (toString s);
      noDots = builtins.head (builtins.match "[.]*(.*)" plain);
      parts = builtins.split "[^A-Za-z0-9+._?=-]+" noDots;
      joined = builtins.concatStringsSep "" (map (p: if builtins.isList p then "-" else p) parts);
      len = builtins.stringLength joined;
      cut = if len > 207 then builtins.substring (len - 207) 207 joined else joined;
    in if cut == "" then "unknown" else cut;

  # The text of a builder or template: a path is read, a string is taken as it is.
  asContent = expr:
    if builtins.isPath expr then builtins.readFile expr
    else if builtins.isString expr then expr
    else throw "expected a path or a string, got: ${builtins.typeOf expr}";
}
