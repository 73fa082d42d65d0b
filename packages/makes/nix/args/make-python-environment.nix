# makePythonEnvironment { pythonProjectDir; pythonVersion; preferWheels ? true; overrides ? … }:
# as makes, a makeSearchPaths template putting makePythonPoetryEnvironment's packages on
# PYTHONPATH (pythonPackage311) and Python (the host's Debian Python 3.11, inputs.nixpkgs.python3)
# and the packages' console scripts on PATH. See make-python-poetry-environment.nix for where
# each locked package comes from.
{ __nixpkgs__, makePythonPoetryEnvironment, makeSearchPaths, ... }:
args:
let env = makePythonPoetryEnvironment args; in
makeSearchPaths {
  bin = [ __nixpkgs__.python3 env ];
  pythonPackage311 = [ env ];
}
