# The makes framework of m. Called by @m/makes with values only the host can provide:
#   nixpkgs       host packages imported into the store on first use (inputs.nixpkgs.<name>)
#   projectPath   "/rel" → the project's file or directory copied into the store
#   projectSrc    the project directory (a string)
#   makesNix      path of the project's makes.nix, or null
#   findOutputs   extendingMakesDirs → { "/name" = path of its main.nix; … }
#   system
#   outputFile    the main.nix to evaluate as `output`, or null
# Returns { config, outputs, args, output }: outputs are the main.nix functions applied to args.
{ nixpkgs, projectPath, projectSrc, makesNix ? null, findOutputs, system
, outputFile ? null }:
let
  lib = import ./lib.nix;

  __m__ = {
    inherit system;
    bash = nixpkgs.bash;
    coreutils = nixpkgs.coreutils;
    shellCommands = builtins.path { name = "shell-commands.sh"; path = ./shell-commands.sh; };
    shellOptions = builtins.path { name = "shell-options.sh"; path = ./shell-options.sh; };
  };

  userConfig =
    if makesNix == null then { }
    else
      let c = import makesNix;
      in if builtins.isFunction c then c args else c;

  config = {
    inputs = { inherit nixpkgs; } // (userConfig.inputs or { });
    extendingMakesDirs = userConfig.extendingMakesDirs or [ "/makes" ];
    cache = userConfig.cache or { };
  };

  outputFiles = findOutputs config.extendingMakesDirs;

  outputs = builtins.mapAttrs (_: file: import file args) outputFiles;

  self = args // { inherit __m__ lib; };

  args = {
    inherit (config) inputs;
    inherit outputs projectPath projectSrc;
    inherit (lib) asContent escapeShellArg escapeShellArgs hasPrefix hasSuffix removePrefix toDerivationName;
    __system__ = system;
    makeContainerImage = import ./make-container-image.nix self;
    makeDerivation = import ./make-derivation.nix self;
    makeScript = import ./make-script.nix self;
    makeSearchPaths = import ./make-search-paths.nix self;
    makeTemplate = import ./make-template.nix self;
    inherit (import ./to-bash.nix self) toBashArray toBashMap;
    toFileJson = name: value: args.makeDerivation {
      inherit name;
      local = true;
      env.envAll = builtins.toJSON value;
      builder = ''printf '%s' "$envAll" > "$out"'';
    };
    toFileLst = name: list: builtins.toFile name (builtins.concatStringsSep "\n" (list ++ [ "" ]));
    fromJson = builtins.fromJSON;
    fromJsonFile = path: builtins.fromJSON (builtins.readFile path);
  };
in
{
  inherit config outputs outputFiles args;
  output = if outputFile == null then null else import outputFile args;
}
