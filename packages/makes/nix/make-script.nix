# makeScript: $out/bin/NAME, a bash script running `entrypoint` (placeholders of `replace`
# substituted) with makes' shell options and helpers and a PATH of coreutils plus `searchPaths`.
# `m PROJECT /output ARGS…` runs it with ARGS.
# STATE is globalStateDir/NAME or, with globalState = false, projectStateDir/NAME (as makes,
# globalState defaults to true only when the two are the same); SSL_CERT_FILE is nixpkgs' cacert.
{ __m__, __nixpkgs__, __stateDirs__, lib, makeDerivation, makeSearchPaths, makeTemplate, toBashArray, ... }:
{ name, entrypoint, searchPaths ? { }, replace ? { }, aliases ? [ ], help ? null
, persistState ? false, globalState ? __stateDirs__.project == __stateDirs__.global }:
let
  scriptName = lib.toDerivationName name;
  # makes asserts this; m says why.
  stateDir =
    if globalState then __stateDirs__.global
    else if __stateDirs__.project == __stateDirs__.global
    then throw "makeScript '${scriptName}': globalState = false needs a projectStateDir other than globalStateDir (set projectIdentifier or projectStateDir in makes.nix)"
    else __stateDirs__.project;
  # Every search path variable reset, so nothing leaks in from the caller's environment.
  searchPathsEmpty = makeSearchPaths (builtins.mapAttrs
    (arg: _:
      if arg == "append" || arg == "withAction" then false
      else if arg == "export" || arg == "source" then [ ]
      else [ "/not-set" ])
    (builtins.functionArgs makeSearchPaths));
  searchPathsBase = makeSearchPaths { append = false; bin = [ __m__.coreutils ]; };
in
makeDerivation {
  inherit name help;
  local = true;
  action = ''"$1/bin/${scriptName}" "''${@:2}"'';
  env = {
    envAliases = toBashArray ([ scriptName ] ++ map lib.toDerivationName aliases);
    envEntrypoint = makeTemplate { inherit name replace; template = entrypoint; };
    envEntrypointSetup = makeTemplate {
      name = "make-script-for-${name}";
      template = ./make-script-setup.sh;
      replace = {
        __argShell__ = "${__m__.bash}/bin/bash";
        __argShellOptions__ = __m__.shellOptions;
        __argShellCommands__ = __m__.shellCommands;
        __argName__ = scriptName;
        __argSearchPaths__ = makeSearchPaths searchPaths;
        __argSearchPathsBase__ = searchPathsBase;
        __argSearchPathsEmpty__ = searchPathsEmpty;
        __argStateDir__ = stateDir;
        __argCaCert__ = __nixpkgs__.cacert;
        __argPersistState__ = if persistState then "1" else "0";
      };
    };
  };
  builder = ./make-script.sh;
}
