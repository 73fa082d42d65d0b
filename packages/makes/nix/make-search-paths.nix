# makeSearchPaths: a template that, when sourced, exports search path variables (PATH,
# LD_LIBRARY_PATH, PYTHONPATH, …) for the given packages and sources the given scripts.
{ __m__, lib, makeTemplate, ... }:
{ append ? true, bin ? [ ], crystalLib ? [ ], export ? [ ], javaClass ? [ ]
, kubeConfig ? [ ], nodeBin ? [ ], nodeModule ? [ ], ocamlBin ? [ ]
, ocamlLib ? [ ], ocamlStublib ? [ ], pkgConfig ? [ ], pythonMypy ? [ ]
, pythonMypy38 ? [ ], pythonMypy39 ? [ ], pythonMypy310 ? [ ], pythonMypy311 ? [ ]
, pythonMypy312 ? [ ], pythonPackage ? [ ], pythonPackage38 ? [ ], pythonPackage39 ? [ ]
, pythonPackage310 ? [ ], pythonPackage311 ? [ ], pythonPackage312 ? [ ], rpath ? [ ]
, rubyBin ? [ ], rubyGemPath ? [ ], source ? [ ], withAction ? true }:
let
  # export VAR="<pkg><suffix>" (prepended to the current value when `append`).
  exportLine = var: suffix: pkg:
    if append
    then ''export ${var}="${pkg}${suffix}''${${var}:+:}''${${var}:-}"''
    else ''export ${var}="${pkg}${suffix}"'';
  # A script (or a template output), optionally [ script arg1 arg2 … ].
  sourceLine = item:
    let
      file = if builtins.isList item then builtins.head item else item;
      args = if builtins.isList item then lib.escapeShellArgs (builtins.tail item) else "";
    in ''
      if test -e "${file}/template"
      then source "${file}/template" ${args}
      else source "${file}" ${args}
      fi'';
  groups = [
    { items = export; line = e: exportLine (builtins.elemAt e 0) (builtins.elemAt e 2) (builtins.elemAt e 1); }
    { items = bin; line = exportLine "PATH" "/bin"; }
    { items = crystalLib; line = exportLine "CRYSTAL_LIBRARY_PATH" "/lib"; }
    { items = pkgConfig; line = exportLine "PKG_CONFIG_PATH" "/lib/pkgconfig"; }
    { items = javaClass; line = exportLine "CLASSPATH" ""; }
    { items = kubeConfig; line = exportLine "KUBECONFIG" ""; }
    { items = nodeBin; line = exportLine "PATH" "/.bin"; }
    { items = nodeModule; line = exportLine "NODE_PATH" ""; }
    { items = ocamlBin; line = exportLine "PATH" "/bin"; }
    { items = ocamlLib; line = exportLine "OCAMLPATH" ""; }
    { items = ocamlStublib; line = exportLine "CAML_LD_LIBRARY_PATH" "/stublibs"; }
    { items = pythonMypy; line = exportLine "MYPYPATH" ""; }
    { items = pythonMypy38; line = exportLine "MYPYPATH" "/lib/python3.8/site-packages"; }
    { items = pythonMypy39; line = exportLine "MYPYPATH" "/lib/python3.9/site-packages"; }
    { items = pythonMypy310; line = exportLine "MYPYPATH" "/lib/python3.10/site-packages"; }
    { items = pythonMypy311; line = exportLine "MYPYPATH" "/lib/python3.11/site-packages"; }
    { items = pythonMypy312; line = exportLine "MYPYPATH" "/lib/python3.12/site-packages"; }
    { items = pythonPackage; line = exportLine "PYTHONPATH" ""; }
    { items = pythonPackage38; line = exportLine "PYTHONPATH" "/lib/python3.8/site-packages"; }
    { items = pythonPackage39; line = exportLine "PYTHONPATH" "/lib/python3.9/site-packages"; }
    { items = pythonPackage310; line = exportLine "PYTHONPATH" "/lib/python3.10/site-packages"; }
    { items = pythonPackage311; line = exportLine "PYTHONPATH" "/lib/python3.11/site-packages"; }
    { items = pythonPackage312; line = exportLine "PYTHONPATH" "/lib/python3.12/site-packages"; }
    { items = rpath; line = exportLine "LD_LIBRARY_PATH" "/lib"; }
    { items = rpath; line = exportLine "LD_LIBRARY_PATH" "/lib64"; }
    { items = rubyBin; line = exportLine "PATH" "/bin"; }
    { items = rubyGemPath; line = exportLine "GEM_PATH" "/"; }
    { items = [ __m__.shellCommands ]; line = sourceLine; }
    { items = source; line = sourceLine; }
  ];
in
makeTemplate {
  name = "make-search-paths";
  template = builtins.concatStringsSep "\n" (builtins.concatLists (map (g: map g.line g.items) groups));
  inherit withAction;
}
