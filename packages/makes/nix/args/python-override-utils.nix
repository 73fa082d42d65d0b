# pythonOverrideUtils: functions over Python package derivations that have overridePythonAttrs
# (nixpkgs' buildPythonPackage), as in makes:
#   recursive_python_pkg_override isPkg override: applies override to every package satisfying
#     isPkg, descending into the attributes (and lists) of the others;
#   no_check_override: turns doCheck off everywhere;
#   replace_pkg names newPkg: replaces the packages whose pname is in names by newPkg;
#   compose [ f g … ] x: f (g (… x)).
_:
let
  isPythonPkg = pkg: builtins.isAttrs pkg && pkg ? overridePythonAttrs && pkg ? pname;
  mapDeep = f: value: if builtins.isList value then map f value else f value;

  recursive_python_pkg_override = isPkg: override:
    let self = pkg:
      if isPkg pkg then override pkg
      else if isPythonPkg pkg then pkg.overridePythonAttrs (builtins.mapAttrs (_: mapDeep self))
      else pkg;
    in self;

  no_check_override = recursive_python_pkg_override isPythonPkg (pkg:
    pkg.overridePythonAttrs (old: builtins.mapAttrs (_: mapDeep no_check_override) old // { doCheck = false; }));

  replace_pkg = names: newPkg: recursive_python_pkg_override
    (pkg: isPythonPkg pkg && builtins.elem pkg.pname names)
    (_: newPkg);

  compose = functions: value: builtins.foldl' (x: f: f x) value
    (builtins.genList (i: builtins.elemAt functions (builtins.length functions - i - 1)) (builtins.length functions));
in
{ inherit compose no_check_override recursive_python_pkg_override replace_pkg; }
