# makeScript: $out/bin/NAME, a bash script running `entrypoint` (placeholders of `replace`
# substituted) with makes' shell options and helpers and a PATH of coreutils plus `searchPaths`.
# `m PROJECT /output ARGS…` runs it with ARGS.
{ __m__, lib, makeDerivation, makeSearchPaths, makeTemplate, toBashArray, ... }:
{ name, entrypoint, searchPaths ? { }, replace ? { }, aliases ? [ ], help ? null
, persistState ? false, globalState ? true }:
let
  scriptName = lib.toDerivationName name;
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
        __argStateDir__ = "$HOME_IMPURE/.cache/m/state";
        __argPersistState__ = if persistState then "1" else "0";
      };
    };
  };
  builder = ./make-script.sh;
}
