# formatPython { name; config = { black; isort; }; targets; }: a script formatting the targets
# (relative to the project) with Debian's black and isort (makes ≤ 24.09's formatPython), each
# with its settings file; with CI set, both only check and show their diff, failing when a file
# is not formatted. The tools run on Debian's Python 3.11 with their Debian dependencies on
# PYTHONPATH.
{ __nixpkgs__, lib, makeScript, toBashArray, ... }:
{ name, config, targets }:
let
  pythonPath = lib.concatMapStringsSep ":" (p: "${__nixpkgs__.${p}}/lib/python3/dist-packages") [
    "black" "python3-click" "python3-mypy-extensions" "python3-packaging" "python3-pathspec"
    "python3-platformdirs" "python3-typing-extensions" "python3-pkg-resources" "python3-isort"
    "python3-toml"
  ];
in
makeScript {
  name = "format-python-for-${name}";
  replace = {
    __argSettingsBlack__ = config.black;
    __argSettingsIsort__ = config.isort;
    __argTargets__ = toBashArray (map (rel: "." + rel) targets);
    __argPythonPath__ = pythonPath;
  };
  searchPaths.bin = [ __nixpkgs__.python3 __nixpkgs__.git ];
  entrypoint = ./format-python.sh;
}
