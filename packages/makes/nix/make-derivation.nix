# makeDerivation: a derivation built by bash with makes' shell helpers and options, and a PATH of
# coreutils plus `searchPaths`.
{ __m__, lib, makeSearchPaths, ... }:
{ name, builder, env ? { }, envFiles ? { }, searchPaths ? { }, local ? false
, sha256 ? null, action ? null, help ? null }:
let
  drvName = lib.toDerivationName name;
  checkedEnv = lib.checkNames
    (k: lib.hasPrefix "env" k || lib.hasPrefix "__" k)
    (k: "makeDerivation '${drvName}': invalid env key '${k}', keys of env must start with: env")
    (env // envFiles);
  # Runs the user's builder (passed as a file, so it may refer to any store path).
  wrapper = builtins.toFile "make-derivation" ''
    source "$__envShellCommands"
    source "$__envShellOptions"
    export PATH="$__envSearchPathsBase"
    if test -v __envSearchPaths; then
      source "$__envSearchPaths/template"
    fi

    source "$__envBuilderPath"

    if test -v __envAction; then
      copy "$__envAction" "$out/makes-action.sh"
      chmod +x "$out/makes-action.sh"
    fi
    if test -v __envHelp; then
      copy "$__envHelp" "$out/README.md"
    fi
  '';
in
builtins.derivation (checkedEnv // {
  inherit (__m__) system;
  name = drvName;
  builder = "${__m__.bash}/bin/bash";
  args = [ wrapper ];
  outputs = [ "out" ];
  __envShellCommands = __m__.shellCommands;
  __envShellOptions = __m__.shellOptions;
  __envSearchPathsBase = "${__m__.coreutils}/bin";
  __envBuilder = lib.asContent builder;
  passAsFile = [ "__envBuilder" ] ++ builtins.attrNames envFiles;
}
// lib.optionalAttrs (action != null) {
  __envAction = builtins.toFile "makes-action-for-${drvName}" ''
    #! ${__m__.bash}/bin/bash
    source ${__m__.shellOptions}
    ${action}
  '';
}
// lib.optionalAttrs (help != null) { __envHelp = help; }
// lib.optionalAttrs local { allowSubstitutes = false; preferLocalBuild = true; }
// lib.optionalAttrs (searchPaths != { }) { __envSearchPaths = makeSearchPaths searchPaths; }
// lib.optionalAttrs (sha256 != null) {
  outputHash = sha256;
  outputHashAlgo = "sha256";
  outputHashMode = "recursive";
})
