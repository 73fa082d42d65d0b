# nixpkgs' lib.strings, written for m: the commonly used functions, same names and results.
lib:
let
  inherit (builtins) concatStringsSep concatMap elemAt filter foldl' genList head isList isString
    length match replaceStrings split stringLength substring tail toString;
  lowerChars = lib.lists.stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = lib.lists.stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
in
rec {
  inherit concatStringsSep replaceStrings;
  concatStrings = concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatImapStrings = f: list: concatStrings (lib.lists.imap1 f list);
  concatImapStringsSep = sep: f: list: concatStringsSep sep (lib.lists.imap1 f list);
  concatLines = list: concatStrings (map (s: s + "\n") list);
  intersperse = separator: list:
    if list == [ ] || length list == 1 then list
    else tail (concatMap (x: [ separator x ]) list);
  makeSearchPath = subDir: paths: concatStringsSep ":" (map (p: p + "/" + subDir) (filter (x: x != null) paths));
  makeSearchPathOutput = output: subDir: pkgs: makeSearchPath subDir (map (p: p.${output} or p) pkgs);
  makeBinPath = makeSearchPathOutput "bin" "bin";
  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  optionalString = cond: s: if cond then s else "";
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suffix: content:
    let lenContent = stringLength content; lenSuffix = stringLength suffix;
    in lenContent >= lenSuffix && substring (lenContent - lenSuffix) lenContent content == suffix;
  hasInfix = infix: content: match ".*${escapeRegex infix}.*" "${content}" != null;
  stringToCharacters = s: genList (p: substring p 1 s) (stringLength s);
  stringAsChars = f: s: concatStrings (map f (stringToCharacters s));
  escape = list: replaceStrings list (map (c: "\\${c}") list);
  escapeRegex = escape (stringToCharacters "\\[{()^$?*+|.");
  escapeShellArg = arg: "'${replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;
  escapeNixString = s: escape [ "$" ] (builtins.toJSON s);
  toUpper = replaceStrings lowerChars upperChars;
  toLower = replaceStrings upperChars lowerChars;
  addContextFrom = a: b: substring 0 0 a + b;
  splitString = sep: s:
    let parts = split (escapeRegex (toString sep)) (toString s);
    in map (addContextFrom s) (filter isString parts);
  removePrefix = prefix: str:
    if hasPrefix prefix str then substring (stringLength prefix) (stringLength str - stringLength prefix) str else str;
  removeSuffix = suffix: str:
    if hasSuffix suffix str then substring 0 (stringLength str - stringLength suffix) str else str;
  trim = trimWith { start = true; end = true; };
  trimWith = { start ? false, end ? false }: s:
    let
      regex = if start && end then "[[:space:]]*(.*[^[:space:]])[[:space:]]*"
        else if start then "[[:space:]]*(.*)"
        else if end then "(.*[^[:space:]])[[:space:]]*"
        else "(.*)";
      res = match regex s;
    in if res == null then (if start || end then "" else s) else head res;
  versionOlder = v1: v2: builtins.compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: !versionOlder v1 v2;
  splitVersion = builtins.splitVersion;
  getName = x: (builtins.parseDrvName (if isString x then x else x.name)).name;
  getVersion = x: (builtins.parseDrvName (if isString x then x else x.name)).version;
  nameFromURL = url: sep:
    let components = splitString "/" url; filename = lib.lists.last components; name = head (splitString sep filename);
    in assert name != filename; name;
  fixedWidthString = width: filler: str:
    let strw = stringLength str; reqWidth = width - (stringLength filler);
    in assert strw <= width;
      if strw == width then str else filler + fixedWidthString reqWidth filler str;
  fixedWidthNumber = width: n: fixedWidthString width "0" (toString n);
  toInt = str:
    let m = match "[[:space:]]*(-?[0-9]+)[[:space:]]*" str;
    in if m == null || match "-?0[0-9].*" (head m) != null
      then throw "could not convert '${str}' to an integer"
      else builtins.fromJSON (head m);
  isStringLike = x: isString x || builtins.isPath x || x ? outPath || x ? __toString;
  sanitizeDerivationName = lib.toDerivationName;
  replicate = n: s: concatStrings (lib.lists.replicate n s);
  commonPrefixLength = a: b:
    let m = lib.trivial.min (stringLength a) (stringLength b);
        go = i: if i >= m then m else if substring i 1 a == substring i 1 b then go (i + 1) else i;
    in go 0;
  enableFeature = flag: feature: "--${if flag then "enable" else "disable"}-${feature}";
  withFeature = flag: feature: "--${if flag then "with" else "without"}-${feature}";
  cmakeBool = name: value: "-D${name}:BOOL=${if value then "TRUE" else "FALSE"}";
}
