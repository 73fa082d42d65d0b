# toFileToml name value: a file holding value (an attribute set) as TOML. makes converts JSON
# with yj; Debian has no yj and JSON loses the difference between 1 and 1.0, so the TOML is
# written here from the Nix value: integers stay integers, floats get a decimal point, strings
# are basic strings, sets become [tables] (inline tables inside arrays), lists of sets become
# [[arrays of tables]], derivations and paths their store paths; null has no TOML form (an error).
{ makeDerivation, ... }:
name: expr:
let
  inherit (builtins) attrNames concatStringsSep filter isAttrs isBool isFloat isInt isList
    isPath isString match toJSON typeOf all;

  isDrv = v: isAttrs v && v ? outPath;
  isTable = v: isAttrs v && !isDrv v;
  isTableArray = v: isList v && v != [ ] && all isTable v;

  key = k: if match "[A-Za-z0-9_-]+" k != null then k else toJSON k;
  path = ks: concatStringsSep "." (map key ks);

  float = f: let s = toJSON f; in if match "[-0-9]+" s != null then "${s}.0" else s;
  inline = loc: v:
    if isString v || isPath v || isDrv v then toJSON "${v}"
    else if isBool v then (if v then "true" else "false")
    else if isInt v then toString v
    else if isFloat v then float v
    else if isList v then "[${concatStringsSep ", " (map (inline loc) v)}]"
    else if isAttrs v then "{ ${concatStringsSep ", " (map (k: "${key k} = ${inline (loc ++ [ k ]) v.${k}}") (attrNames v))} }"
    else if v == null then throw "toFileToml '${name}': ${path loc} is null, which TOML cannot hold"
    else throw "toFileToml '${name}': ${path loc} is a ${typeOf v}, which TOML cannot hold";

  # The body of the table at loc: its plain keys, then its sub-tables and arrays of tables.
  table = loc: set:
    let
      names = attrNames set;
      plain = filter (k: !(isTable set.${k} || isTableArray set.${k})) names;
      tables = filter (k: isTable set.${k}) names;
      arrays = filter (k: isTableArray set.${k}) names;
      plainLines = map (k: "${key k} = ${inline (loc ++ [ k ]) set.${k}}\n") plain;
      tableText = k: "\n[${path (loc ++ [ k ])}]\n" + table (loc ++ [ k ]) set.${k};
      arrayText = k: concatStringsSep "" (map (t: "\n[[${path (loc ++ [ k ])}]]\n" + table (loc ++ [ k ]) t) set.${k});
    in concatStringsSep "" (plainLines ++ map tableText tables ++ map arrayText arrays);

  text =
    if isTable expr then
      let t = table [ ] expr; in
      if match "\n.*" t != null then builtins.substring 1 (builtins.stringLength t) t else t
    else throw "toFileToml '${name}': the value must be an attribute set, not a ${typeOf expr}";
in
makeDerivation {
  inherit name;
  local = true;
  envFiles.envToml = text;
  builder = ''cp "$envTomlPath" "$out"'';
}
