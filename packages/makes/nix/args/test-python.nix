# testPython { name; project; src; extraFlags; extraSrcs; searchPaths; }: a script running
# Debian's pytest (makes ≤ 24.09's testPython) in a copy of `project` (extraSrcs copied beside
# it, name = path) at its folder `src`, with makes' pytest flags (stop at the first failure,
# verbose, locals shown) plus extraFlags; `searchPaths` (makeSearchPaths' arguments) are sourced
# first, so the code under test finds its dependencies. Python is Debian's 3.11, pytest and its
# Debian dependencies follow the project's own entries on PYTHONPATH.
{ __nixpkgs__, lib, makeScript, makeSearchPaths, toBashArray, toBashMap, ... }:
{ name, project, src, extraFlags ? [ ], extraSrcs ? { }, searchPaths ? { } }:
let
  pytestPath = lib.concatMapStringsSep ":" (p: "${__nixpkgs__.${p}}/lib/python3/dist-packages") [
    "python3-pytest" "python3-pluggy" "python3-iniconfig" "python3-packaging" "python3-py"
    "python3-attr"
  ];
in
makeScript {
  name = "test-python-for-${name}";
  replace = {
    __argExtraFlags__ = toBashArray extraFlags;
    __argExtraSrcs__ = toBashMap (builtins.mapAttrs (_: toString) extraSrcs);
    __argProject__ = project;
    __argSrc__ = src;
    __argPytestPath__ = pytestPath;
  };
  searchPaths = {
    bin = [ __nixpkgs__.python3 ];
    source = [ (makeSearchPaths searchPaths) ];
  };
  entrypoint = ./test-python.sh;
}
