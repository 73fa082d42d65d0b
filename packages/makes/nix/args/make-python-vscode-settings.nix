# makePythonVscodeSettings { name; env; bins; }: as makes, a script that writes (merges into)
# ./.vscode/settings.json the settings pointing VS Code's Python extension at `env`: its
# bin/python when it has one (a Python environment), else Debian's Python 3.11 with env's
# lib/python3.11/site-packages as extra analysis paths (m's makePythonPoetryEnvironment), pylint,
# dmypy and pytest. `bins` and env are on the script's PATH. Paths are store paths (/nix/store/…),
# as in makes: an editor outside `m` reaches them where the store is at /nix/store.
{ __nixpkgs__, makeScript, ... }:
{ name, env, bins ? [ ] }:
makeScript {
  inherit name;
  searchPaths.bin = bins ++ [ env __nixpkgs__.python3 ];
  replace = {
    __argEnv__ = env;
    __argPython__ = __nixpkgs__.python3;
    __argWriter__ = ./make-python-vscode-settings.py;
  };
  entrypoint = ''
    mkdir -p ./.vscode
    __argPython__/bin/python3 __argWriter__ ./.vscode/settings.json __argEnv__ __argPython__
    info "Wrote ./.vscode/settings.json for __argEnv__"
  '';
}
