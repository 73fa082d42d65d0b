# The `lib` of makes.nix and main.nix files (and `__nixpkgs__.lib`, `inputs.nixpkgs.lib`): nixpkgs'
# lib written for m, with nixpkgs' names and results — lib/strings.nix, lib/lists.nix,
# lib/attrsets.nix, lib/trivial.nix (trivial and fixedPoints) and the module system
# (lib/modules.nix: evalModules, types, mkOption, mkIf, mkDefault, mkForce, mkMerge, …), each
# also under its nixpkgs namespace (lib.strings.splitString, lib.types.str, …) — plus the small
# helpers the framework needs (below). m ships no nixpkgs source.
# `withThrowAt f` is the same lib with positioned module errors raised by `f pos message hint`.
let
helpers = rec {
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

  # The text of a builder or template, as makes: a path is read, and so is a string that starts
  # with /nix/store/ ("${./build.sh}"); any other string is the text itself.
  asContent = expr:
    if builtins.isPath expr then builtins.readFile expr
    else if builtins.isString expr then
      (if builtins.substring 0 11 expr == "/nix/store/" then builtins.readFile expr else expr)
    else throw "expected a store path or a string, got: ${builtins.typeOf expr}";

  removeSuffix = suffix: s:
    if hasSuffix suffix s
    then builtins.substring 0 (builtins.stringLength s - builtins.stringLength suffix) s
    else s;
  hasInfix = infix: s: builtins.match ".*${escapeRegex infix}.*" s != null;
  escapeRegex = builtins.replaceStrings
    [ "\\" "." "*" "+" "?" "(" ")" "[" "]" "{" "}" "|" "^" "$" ]
    [ "\\\\" "\\." "\\*" "\\+" "\\?" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\|" "\\^" "\\$" ];
  upperChars = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lowerChars = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  toUpper = builtins.replaceStrings lowerChars upperChars;
  toLower = builtins.replaceStrings upperChars lowerChars;
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  remove = x: builtins.filter (y: y != x);
  last = list: builtins.elemAt list (builtins.length list - 1);
  flatten = x: if builtins.isList x then builtins.concatMap flatten x else [ x ];
  filterAttrs = pred: set: builtins.listToAttrs (builtins.concatMap
    (name: if pred name set.${name} then [ { inherit name; value = set.${name}; } ] else [ ])
    (builtins.attrNames set));
  recursiveUpdate = a: b: a // builtins.mapAttrs
    (n: v: if a ? ${n} && builtins.isAttrs v && builtins.isAttrs a.${n} && !(v ? outPath) then recursiveUpdate a.${n} v else v)
    b;
  mergeAttrs = a: b: a // b;
  inherit (builtins) attrNames attrValues concatLists concatMap concatStringsSep elem elemAt filter
    foldl' genList hasAttr head isAttrs isBool isFunction isInt isList isString length listToAttrs
    mapAttrs replaceStrings tail toJSON fromJSON;
};
withThrowAt = throwAt:
  let
    strings = import ./lib/strings.nix lib;
    lists = import ./lib/lists.nix lib;
    attrsets = import ./lib/attrsets.nix lib;
    inherit (import ./lib/trivial.nix lib) trivial fixedPoints;
    modules = import ./lib/modules.nix { inherit lib throwAt; };
    lib = helpers // attrsets // builtins.removeAttrs strings [ "replicate" ] // lists // trivial
      // fixedPoints // modules // {
      inherit strings lists attrsets trivial fixedPoints withThrowAt;
      options = { inherit (modules) mkOption mkEnableOption isOption mergeEqualOption mergeOneOption mergeDefaultOption showOption; };
      modules = { inherit (modules) evalModules mkIf mkMerge mkOverride mkOptionDefault mkDefault mkForce mkVMOverride mkOrder mkBefore mkAfter; };
      systems.elaborate = system: { inherit system; isLinux = true; isDarwin = false; };
      version = "24.11-m";
    };
  in lib;
in
withThrowAt null
