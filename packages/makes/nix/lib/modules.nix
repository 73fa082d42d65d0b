# The module system of makes.nix: the subset of nixpkgs' lib.evalModules (lib/modules.nix,
# lib/options.nix, lib/types.nix) that makes and its users rely on, written for m.
#
#   evalModules { modules; specialArgs ? { }; prefix ? [ ]; } → { config; options; }
#
# * A module is a path (imported), a function (called with specialArgs // { config; options;
#   lib; }) or a set: { imports; options; config; } or, without `options`/`config`, the
#   definitions themselves. `imports` are modules too; a path is evaluated once however often
#   it is imported.
# * Options are declared with mkOption { type; default; description; apply; … }, nested in sets.
#   Definitions of one option from every module are merged by its type after mkIf, mkMerge and
#   mkOverride (mkDefault 1000, mkForce 50, option default 1500; the lowest number wins) are
#   resolved; mkBefore/mkAfter order list definitions.
# * `config` of the result is checked: a definition of an option nobody declared is an error
#   naming it, where it was defined and the closest declared option. A definition of the wrong
#   type is an error naming the option and where it was defined. Modules themselves see the
#   unchecked config, so a module may read config without tripping over another's mistake.
#
# throwAt pos message hint: raises the error at a source position ({ file; line; column; } or
# null); null means a plain `throw` with the position in the text.
{ lib, throwAt ? null }:
let
  inherit (builtins)
    all any attrNames concatLists concatMap concatStringsSep elem elemAt filter foldl'
    genericClosure genList head isAttrs isBool isFloat isFunction isInt isList isPath isString
    length listToAttrs mapAttrs removeAttrs sort stringLength substring tail typeOf
    unsafeGetAttrPos zipAttrsWith;

  imap = f: list: genList (i: f i (elemAt list i)) (length list);
  last = list: elemAt list (length list - 1);
  min = a: b: if a < b then a else b;

  showPos = pos: "${pos.file}:${toString pos.line}:${toString pos.column}";
  where = def: if def.pos or null != null then showPos def.pos else def.file;

  raise = pos: message: hint:
    if throwAt != null then throwAt pos message hint
    else throw (message
      + (if hint != null then "\n       ${hint}" else ""));

  # outputs."/x".enable, as nixpkgs prints an option path.
  showOption = loc: concatStringsSep "." (map
    (p: if builtins.match "[A-Za-z_][A-Za-z0-9_'-]*" p != null then p else builtins.toJSON p)
    loc);

  isStringLike = x: isString x || isPath x || (isAttrs x && (x ? outPath || x ? __toString));
  isDerivation = x: isAttrs x && (x.type or null) == "derivation";

  # A value in one line, without forcing more than its first level.
  showValue = v:
    if isFunction v then "<function>"
    else if isString v then builtins.toJSON (builtins.unsafeDiscardStringContext v)
    else if isInt v || isFloat v then toString v
    else if isBool v then (if v then "true" else "false")
    else if v == null then "null"
    else if isPath v then toString v
    else if isList v then "[ ${concatStringsSep " " (map (x: if isList x || isAttrs x then "…" else showValue x) v)} ]"
    else if isDerivation v then "<derivation ${v.name or "?"}>"
    else "{ ${concatStringsSep " " (map (n: "${n} = …;") (attrNames v))} }";

  showDefs = defs: concatStringsSep "" (map (d: "\n       - In ${where d}: ${showValue d.value}") defs);

  # ---- properties -------------------------------------------------------------------------
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkOrder = priority: content: { _type = "order"; inherit priority content; };
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;
  defaultOrderPriority = 1000;
  defaultOverridePriority = 100;

  typeOfProp = v: if isAttrs v then v._type or "" else "";

  # ---- options ----------------------------------------------------------------------------
  mkOption = attrs: attrs // { _type = "option"; };
  mkEnableOption = name: mkOption {
    type = types.bool;
    default = false;
    example = true;
    description = "Whether to enable ${name}.";
  };
  isOption = x: isAttrs x && (x._type or null) == "option";
  isType = x: isAttrs x && (x._type or null) == "option-type";

  # ---- "did you mean" ---------------------------------------------------------------------
  lower = builtins.replaceStrings
    [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ]
    [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  chars = s: genList (i: substring i 1 s) (stringLength s);
  levenshtein = a: b:
    let
      cb = chars b;
      lb = length cb;
      step = prev: ic:
        foldl'
          (row: j: row ++ [
            (min (min (elemAt prev j + 1) (elemAt row (j - 1) + 1))
              (elemAt prev (j - 1) + (if elemAt cb (j - 1) == ic.c then 0 else 1)))
          ])
          [ ic.i ]
          (genList (j: j + 1) lb);
    in elemAt (foldl' step (genList (j: j) (lb + 1)) (imap (i: c: { i = i + 1; inherit c; }) (chars a))) lb;
  closest = query: names:
    let
      q = lower query;
      scored = map (n:
        let l = lower n; d = levenshtein q l; in
        { inherit n; d = if builtins.match ".*${escapeRegex q}.*" l != null || builtins.match ".*${escapeRegex l}.*" q != null then min d 1 else d; })
        names;
      limit = let h = stringLength query / 2; in if h > 2 then h else 2;
      ok = sort (a: b: a.d < b.d || (a.d == b.d && a.n < b.n)) (filter (s: s.d <= limit) scored);
    in if ok == [ ] then null else (head ok).n;
  escapeRegex = builtins.replaceStrings
    [ "\\" "." "*" "+" "?" "(" ")" "[" "]" "{" "}" "|" "^" "$" ]
    [ "\\\\" "\\." "\\*" "\\+" "\\?" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\|" "\\^" "\\$" ];

  # ---- merging definitions ----------------------------------------------------------------
  # A definition: { file; pos (or null); value; }.

  # mkIf / mkMerge resolved: the definitions that remain.
  discharge = loc: def:
    let v = def.value; t = typeOfProp v; in
    if t == "merge" then concatMap (c: discharge loc (def // { value = c; })) v.contents
    else if t == "if" then
      if !isBool v.condition then
        raise def.pos "mkIf called with a non-Boolean condition (${typeOf v.condition}) for option `${showOption loc}'" null
      else if v.condition then discharge loc (def // { value = v.content; })
      else [ ]
    else [ def ];

  mergeDefinitions = loc: type: defs:
    let
      discharged = concatMap (discharge loc) defs;
      prio = d: if typeOfProp d.value == "override" then d.value.priority else defaultOverridePriority;
      highest = foldl' (p: d: min p (prio d)) 9999 discharged;
      strip = d: if typeOfProp d.value == "override" then d // { value = d.value.content; } else d;
      kept = map strip (filter (d: prio d == highest) discharged);
      order = d: if typeOfProp d.value == "order" then d.value.priority else defaultOrderPriority;
      unorder = d: if typeOfProp d.value == "order" then d // { value = d.value.content; } else d;
      defsFinal =
        if any (d: typeOfProp d.value == "order") kept
        then map unorder (sort (a: b: order a < order b) kept)
        else kept;
      isDefined = kept != [ ]; # not defsFinal: ordering would force every value
      bad = filter (d: !type.check d.value) defsFinal;
      mergedValue =
        if bad != [ ] then
          raise (head bad).pos
            "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values:${showDefs bad}"
            null
        else type.merge loc defsFinal;
    in {
      inherit defsFinal isDefined mergedValue;
      optionalValue = if isDefined then { value = mergedValue; } else { };
    };

  getValues = map (d: d.value);

  mergeEqualOption = loc: defs:
    if length defs == 1 then (head defs).value
    else (foldl'
      (first: d:
        if d.value != first.value then
          raise d.pos "The option `${showOption loc}' has conflicting definition values:${showDefs [ first d ]}"
            "Use lib.mkForce value or lib.mkDefault value to change the priority of one of them."
        else first)
      (head defs) (tail defs)).value;

  mergeOneOption = loc: defs:
    if length defs == 1 then (head defs).value
    else raise (elemAt defs 1).pos
      "The option `${showOption loc}' is defined multiple times while it's expected to be unique.${showDefs defs}"
      "Use lib.mkForce value or lib.mkDefault value to change the priority of one of them.";

  mergeDefaultOption = loc: defs:
    let list = getValues defs; in
    if length list == 1 then head list
    else if all isFunction list then x: mergeDefaultOption loc (map (d: d // { value = d.value x; }) defs)
    else if all isList list then concatLists list
    else if all isAttrs list then foldl' (a: b: a // b) { } list
    else if all isBool list then any (x: x) list
    else if all isString list then concatStringsSep "" list
    else if all isInt list && all (x: x == head list) list then head list
    else raise (elemAt defs 1).pos "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}" null;

  # ---- types ------------------------------------------------------------------------------
  mkOptionType =
    { name, description ? name, check ? (_: true), merge ? mergeDefaultOption
    , getSubOptions ? (_: { }), nestedTypes ? { } }:
    { _type = "option-type"; inherit name description check merge getSubOptions nestedTypes; };

  elemDefs = loc: defs:
    concatLists (imap (n: d: imap (m: v: {
      loc = loc ++ [ "[definition ${toString (n + 1)}-entry ${toString (m + 1)}]" ];
      def = d // { value = v; };
    }) d.value) defs);

  # Per attribute: the definitions of each name, with the position of the name.
  attrDefs = defs: zipAttrsWith (_: ds: ds)
    (map (d: mapAttrs (n: v: { inherit (d) file; pos = unsafeGetAttrPos n d.value; value = v; }) d.value) defs);

  types = rec {
    raw = mkOptionType { name = "raw"; description = "raw value"; merge = mergeOneOption; };
    unspecified = mkOptionType { name = "unspecified"; description = "unspecified value"; };
    anything = mkOptionType {
      name = "anything";
      description = "anything";
      merge = loc: defs:
        let
      kind = v: if isAttrs v && isStringLike v then "stringCoercibleSet" else typeOf v;
          k = kind (head defs).value;
        in
        if any (d: kind d.value != k) defs then
          raise (head defs).pos "The option `${showOption loc}' has conflicting option types:${showDefs defs}" null
        else if k == "set" then (attrsOf anything).merge loc defs
        else if k == "list" then
          (if length defs > 1 then raise (elemAt defs 1).pos "The option `${showOption loc}' has conflicting definitions:${showDefs defs}" null
           else (listOf anything).merge loc defs)
        else if k == "lambda" then x: anything.merge (loc ++ [ "<function body>" ]) (map (d: d // { value = d.value x; }) defs)
        else mergeEqualOption loc defs;
    };
    bool = mkOptionType { name = "bool"; description = "boolean"; check = isBool; merge = mergeEqualOption; };
    int = mkOptionType { name = "int"; description = "signed integer"; check = isInt; merge = mergeEqualOption; };
    ints = {
      unsigned = addCheck int (x: x >= 0) // { name = "unsignedInt"; description = "unsigned integer, meaning >=0"; };
      positive = addCheck int (x: x > 0) // { name = "positiveInt"; description = "positive integer, meaning >0"; };
      between = lo: hi: addCheck int (x: x >= lo && x <= hi) // { description = "integer between ${toString lo} and ${toString hi} (both inclusive)"; };
    };
    float = mkOptionType { name = "float"; description = "floating point number"; check = isFloat; merge = mergeEqualOption; };
    number = either int float;
    str = mkOptionType { name = "str"; description = "string"; check = isString; merge = mergeEqualOption; };
    string = str;
    nonEmptyStr = addCheck str (s: builtins.match "[ \t\n]*" s == null) // { name = "nonEmptyStr"; description = "non-empty string"; };
    separatedString = sep: mkOptionType {
      name = "separatedString";
      description = if sep == "" then "Concatenated string" else "strings concatenated with ${builtins.toJSON sep}";
      check = isString;
      merge = _: defs: concatStringsSep sep (getValues defs);
    };
    lines = separatedString "\n";
    commas = separatedString ",";
    envVar = separatedString ":";
    path = mkOptionType {
      name = "path";
      description = "path";
      check = x: isStringLike x && substring 0 1 (toString x) == "/";
      merge = mergeEqualOption;
    };
    package = mkOptionType {
      name = "package";
      description = "package";
      check = x: isDerivation x
        || (isStringLike x && (let s = toString x; d = builtins.storeDir + "/"; in substring 0 (stringLength d) s == d));
      merge = mergeOneOption;
    };
    attrs = mkOptionType {
      name = "attrs";
      description = "attribute set";
      check = isAttrs;
      merge = _: defs: foldl' (a: d: a // d.value) { } defs;
    };
    attrsOf = elemType: mkOptionType {
      name = "attrsOf";
      description = "attribute set of ${elemType.description}";
      check = isAttrs;
      merge = loc: defs:
        let merged = mapAttrs (n: ds: (mergeDefinitions (loc ++ [ n ]) elemType ds).optionalValue) (attrDefs defs);
        in listToAttrs (concatMap (n: if merged.${n} ? value then [ { name = n; value = merged.${n}.value; } ] else [ ]) (attrNames merged));
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<name>" ]);
      nestedTypes.elemType = elemType;
    };
    # As attrsOf, but its names do not depend on mkIf conditions (an attribute whose
    # definitions all vanished is an error when used).
    lazyAttrsOf = elemType: attrsOf elemType // {
      name = "lazyAttrsOf";
      description = "lazy attribute set of ${elemType.description}";
      merge = loc: defs: mapAttrs
        (n: ds:
          let r = mergeDefinitions (loc ++ [ n ]) elemType ds; in
          if r.isDefined then r.mergedValue
          else raise (head ds).pos "The option `${showOption (loc ++ [ n ])}' is used but not defined." null)
        (attrDefs defs);
    };
    listOf = elemType: mkOptionType {
      name = "listOf";
      description = "list of ${elemType.description}";
      check = isList;
      merge = loc: defs: map (x: x.value) (filter (x: x ? value)
        (map (e: (mergeDefinitions e.loc elemType [ e.def ]).optionalValue) (elemDefs loc defs)));
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
      nestedTypes.elemType = elemType;
    };
    nonEmptyListOf = elemType: addCheck (listOf elemType) (l: l != [ ]) // { description = "non-empty list of ${elemType.description}"; };
    nullOr = elemType: mkOptionType {
      name = "nullOr";
      description = "null or ${elemType.description}";
      check = x: x == null || elemType.check x;
      merge = loc: defs:
        let nulls = filter (d: d.value == null) defs; in
        if length nulls == length defs then null
        else if nulls != [ ] then
          raise (head nulls).pos "The option `${showOption loc}' is defined both null and not null:${showDefs defs}" null
        else elemType.merge loc defs;
      nestedTypes.elemType = elemType;
    };
    enum = values: mkOptionType {
      name = "enum";
      description = "one of ${concatStringsSep ", " (map showValue values)}";
      check = x: elem x values;
      merge = mergeEqualOption;
    };
    either = a: b: mkOptionType {
      name = "either";
      description = "${a.description} or ${b.description}";
      check = x: a.check x || b.check x;
      merge = loc: defs:
        if all (d: a.check d.value) defs then a.merge loc defs
        else if all (d: b.check d.value) defs then b.merge loc defs
        else mergeOneOption loc defs;
      nestedTypes = { left = a; right = b; };
    };
    oneOf = ts: if ts == [ ] then throw "types.oneOf needs at least one type" else foldl' either (head ts) (tail ts);
    uniq = elemType: elemType // { merge = mergeOneOption; description = "unique ${elemType.description}"; };
    unique = { message ? "" }: uniq;
    functionTo = elemType: mkOptionType {
      name = "functionTo";
      description = "function that evaluates to a(n) ${elemType.description}";
      check = isFunction;
      merge = loc: defs: x:
        (mergeDefinitions (loc ++ [ "<function body>" ]) elemType (map (d: d // { value = d.value x; }) defs)).mergedValue;
      nestedTypes.elemType = elemType;
    };
    submoduleWith = { modules, specialArgs ? { } }: mkOptionType {
      name = "submodule";
      description = "submodule";
      check = x: isAttrs x || isFunction x || isPath x;
      merge = loc: defs: (evalModules {
        modules = modules ++ map (d: { _file = where d; imports = [ d.value ]; }) defs;
        specialArgs = specialArgs // { name = last loc; };
        prefix = loc;
      }).config;
      getSubOptions = prefix: (evalModules { inherit modules specialArgs prefix; }).options;
    };
    submodule = m: submoduleWith { modules = if isList m then m else [ m ]; };
    addCheck = t: check: t // { check = x: t.check x && check x; };
  };
  inherit (types) addCheck;

  # ---- evaluation -------------------------------------------------------------------------
  topLevelKeys = [ "_file" "key" "imports" "options" "config" "meta" "disabledModules" "freeformType" "_class" ];

  # Every module reachable through imports, each once: { key; file; module; }.
  collectModules = args: modules:
    let
      load = parentFile: parentKey: i: m:
        let
          isFile = isPath m || isString m;
          file = if isFile then toString m else parentFile;
          value = if isFile then import m else m;
          applied = if isFunction value then value args else value;
          module =
            if isAttrs applied then applied
            else throw "The module ${file} is a ${typeOf applied}, not a set of options and definitions (or a function returning one).";
        in {
          key = if isFile then file else if module ? key then toString module.key else "${parentKey}:${toString i}";
          file = if module ? _file then toString module._file else file;
          inherit module;
        };
    in genericClosure {
      startSet = imap (load "<unknown file>" "<modules>") modules;
      operator = item: imap (load item.file item.key) (item.module.imports or [ ]);
    };

  # A module's declarations and its definitions (as sets at the top level).
  normalise = loc: item:
    let
      m = item.module;
      structured = m ? config || m ? options;
      extra = filter (n: !elem n topLevelKeys) (attrNames m);
    in
    if structured && extra != [ ] then
      raise (unsafeGetAttrPos (head extra) m)
        "Module `${item.file}' has an unsupported attribute `${head extra}'. This is caused by introducing a top-level `config' or `options' attribute. Add configuration attributes immediately on the top level instead, or move all of them (namely: ${concatStringsSep " " extra}) into the explicit `config' attribute."
        null
    else {
      inherit (item) file;
      options = m.options or { };
      defs =
        if structured then pushDown loc { inherit (item) file; pos = unsafeGetAttrPos "config" m; value = m.config or { }; }
        else [ { inherit (item) file; src = m; value = removeAttrs m topLevelKeys; } ];
    };

  # A definition of a set of options → plain sets ({ file; src; value; }): mkMerge split, mkIf
  # and mkOverride moved onto each attribute (conditions are not evaluated here). `src` is the
  # set as written, for the positions of its attributes.
  pushDown = loc: def:
    let v = def.value; t = typeOfProp v; in
    if !isAttrs v then
      raise def.pos "The definition of `${showOption loc}' in ${where def} is a ${typeOf v}, but `${showOption loc}' is a set of options, so it must be a set." null
    else if t == "merge" then concatMap (c: pushDown loc (def // { value = c; })) v.contents
    else if t == "if" then map (p: p // { value = mapAttrs (_: mkIf v.condition) p.value; }) (pushDown loc (def // { value = v.content; }))
    else if t == "override" then map (p: p // { value = mapAttrs (_: mkOverride v.priority) p.value; }) (pushDown loc (def // { value = v.content; }))
    else if t == "order" then map (p: p // { value = mapAttrs (_: mkOrder v.priority) p.value; }) (pushDown loc (def // { value = v.content; }))
    else [ { inherit (def) file; src = v; value = v; } ];

  # The definitions of attribute `name` in pushed-down sets.
  defsOf = name: sets: concatMap
    (p: if p.value ? ${name} then [ { inherit (p) file; pos = unsafeGetAttrPos name p.src; value = p.value.${name}; } ] else [ ])
    sets;

  # Declarations of all modules merged into one tree; an option declared twice is an error.
  mergeDecls = loc: decls:
    let
      opts = filter (d: isOption d.value) decls;
      sets = filter (d: !isOption d.value) decls;
      nonSets = filter (d: !isAttrs d.value) sets;
    in
    if nonSets != [ ] then
      raise (head nonSets).pos "The option declaration `${showOption loc}' in ${(head nonSets).file} is a ${typeOf (head nonSets).value}, not mkOption { … } or a set of options." null
    else if opts != [ ] then
      (if length opts > 1 then
        raise (elemAt opts 1).pos "The option `${showOption loc}' in `${(elemAt opts 1).file}' is already declared in `${(head opts).file}'." null
      else if sets != [ ] then
        raise (head sets).pos "The option `${showOption loc}' in `${(head sets).file}' is a prefix of options declared in `${(head opts).file}'." null
      else (head opts).value // { declarations = [ (head opts).file ]; declarationPos = (head opts).pos; })
    else mapAttrs (n: ds: mergeDecls (loc ++ [ n ]) ds)
      (zipAttrsWith (_: ds: ds)
        (map (d: mapAttrs (n: v: { inherit (d) file; pos = unsafeGetAttrPos n d.value; value = v; }) d.value) sets));

  # One option's value and what defined it.
  evalOption = loc: opt: defs:
    let
      type =
        let t = opt.type or types.unspecified; in
        if isType t then t
        else raise opt.declarationPos "The type of option `${showOption loc}' is not a type (use lib.types.*)." null;
      defaultDefs = if opt ? default then [ { file = head opt.declarations; pos = opt.declarationPos; value = mkOptionDefault opt.default; } ] else [ ];
      res = mergeDefinitions loc type (defaultDefs ++ defs);
      value =
        if res.isDefined then (if opt ? apply then opt.apply res.mergedValue else res.mergedValue)
        else raise opt.declarationPos "The option `${showOption loc}' is used but not defined." null;
    in opt // {
      inherit value;
      inherit (res) isDefined;
      files = map (d: d.file) res.defsFinal;
      definitions = map (d: d.value) res.defsFinal;
      definitionsWithLocations = res.defsFinal;
    };

  # Declarations with the definitions of the modules → the same tree, each option with its value.
  evalTree = loc: opts: defs:
    let sets = concatMap (d: if d ? src then [ d ] else pushDown loc d) defs; in
    mapAttrs (name: opt:
      let sub = defsOf name sets; loc' = loc ++ [ name ]; in
      if isOption opt then evalOption loc' opt sub else evalTree loc' opt sub)
      opts;

  toConfig = tree: mapAttrs (_: v: if isOption v then v.value else toConfig v) tree;

  # Every definition names a declared option (true, or an error at the first that does not).
  checkTree = loc: opts: defs:
    let
      sets = concatMap (d: if d ? src then [ d ] else pushDown loc d) defs;
      unknown = concatMap (p: map (n: { name = n; inherit (p) file; pos = unsafeGetAttrPos n p.src; })
        (filter (n: !(opts ? ${n})) (attrNames p.value))) sets;
      u = head unknown;
      suggestion = closest u.name (attrNames opts);
    in
    if unknown != [ ] then
      raise u.pos
        "The option `${showOption (loc ++ [ u.name ])}' does not exist. Definition in ${where u}."
        (if suggestion != null then "Did you mean `${showOption (loc ++ [ suggestion ])}'?"
         else if opts == { } then null
         else "Options here: ${concatStringsSep ", " (map (n: showOption (loc ++ [ n ])) (attrNames opts))}.")
    else all (name:
      let sub = defsOf name sets; in
      isOption opts.${name} || sub == [ ] || checkTree (loc ++ [ name ]) opts.${name} sub)
      (attrNames opts);

  evalModules = { modules, specialArgs ? { }, prefix ? [ ] }:
    let
      args = specialArgs // { inherit config lib; options = tree; };
      normalised = map (normalise prefix) (collectModules args modules);
      declared = mergeDecls prefix (map (m: { inherit (m) file; pos = null; value = m.options; }) normalised);
      defs = concatMap (m: m.defs) normalised;
      tree = evalTree prefix declared defs;
      config = toConfig tree;
    in {
      config = builtins.seq (checkTree prefix declared defs) config;
      options = tree;
    };
in
{
  inherit evalModules mkOption mkEnableOption isOption mkOptionType isType types
    mkIf mkMerge mkOverride mkOptionDefault mkDefault mkForce mkVMOverride mkOrder mkBefore mkAfter
    mergeEqualOption mergeOneOption mergeDefaultOption showOption levenshtein;
  # throwAt pos message hint: an error at a definition's position (pos may be null).
  throwAt = raise;
}
