# The makes framework of m. Called by @m/makes with values only the host can provide:
#   nixpkgs       host packages imported into the store on first use (inputs.nixpkgs.<name>)
#   projectPath   "/rel" → the project's file or directory copied into the store
#   projectSrc    the project directory (a string)
#   makesNix      path of the project's makes.nix, or null
#   findOutputs   extendingMakesDirs → { "/name" = path of its main.nix; … }
#   system
#   throwAt       pos → message → hint → a positioned error (module system errors), or null
#   fetchArchiveKeepRoot  { url, sha256, name? } → the whole unpacked archive (fetchArchive's stripRoot = false)
# makes.nix is a module (lib/modules.nix) evaluated with the builtin modules (modules/): its
# `config.outputs` has every output, main.nix files and module outputs (jobs, dev, …) alike.
# Returns { config, options, outputFiles, args }: outputFiles maps the outputs that are main.nix
# files to their file.
{ nixpkgs, projectPath, projectSrc, makesNix ? null, findOutputs, system
, throwAt ? null, fetchArchiveKeepRoot ? null }:
let
  lib = (import ./lib.nix).withThrowAt throwAt;

  __m__ = {
    inherit system fetchArchiveKeepRoot;
    bash = nixpkgs.bash;
    coreutils = nixpkgs.coreutils;
    shellCommands = builtins.path { name = "shell-commands.sh"; path = ./shell-commands.sh; };
    shellOptions = builtins.path { name = "shell-options.sh"; path = ./shell-options.sh; };
  };

  # The host's Debian packages, under nixpkgs' names too (nixpkgs-names.nix), and nixpkgs' `lib`.
  # A host without dpkg has no package list (any name is looked up on PATH when asked for), which
  # `//` would turn into an empty set: it is passed on as it is.
  hostNixpkgs =
    if builtins.attrNames nixpkgs == [ ] then nixpkgs
    else nixpkgs // import ./nixpkgs-names.nix { inherit nixpkgs; inherit (args) makeDerivation; } // { inherit lib; };

  result = lib.evalModules {
    modules = import ./modules ++ [ frameworkModule ] ++ (if makesNix == null then [ ] else [ makesNix ]);
    specialArgs = args;
  };
  inherit (result) config;

  outputFiles = findOutputs config.extendingMakesDirs;

  # What only the framework knows: the host's packages as inputs.nixpkgs (lowest priority) and
  # the main.nix files as outputs (wrapped, so listing outputs does not evaluate them).
  frameworkModule = {
    _file = toString ./default.nix;
    config = {
      inputs.nixpkgs = lib.mkOptionDefault hostNixpkgs;
      outputs = builtins.mapAttrs (name: file: lib.mkOverride 100 (mainNixOutput name file)) outputFiles;
    };
  };

  # A main.nix's output; what is not one is reported naming the file (the module system would
  # name this framework file).
  mainNixOutput = name: file:
    let v = import file args; in
    if lib.types.package.check v then v
    else throw "output '${name}' (${toString file}) must evaluate to a derivation or a store path, not a ${builtins.typeOf v}";

  # An argument of makes' src/args that m does not provide yet (until a nix/args file does): a
  # function, so `{ name, ... }:` headers work, that fails when called.
  notYetAvailable = name: _: throw "${name} is not yet available in m";

  # nix/args/<kebab-name>.nix (or <kebab-name>/default.nix) → argument <camelName>, as makes'
  # src/args/<name>/default.nix: each is `import file self`. A file replaces a builtin of the
  # same name below.
  argsDir = ./args;
  argEntries = if builtins.pathExists argsDir then builtins.readDir argsDir else { };
  camel = s:
    let parts = builtins.split "-" s;
    in builtins.concatStringsSep "" (map
      (p: if builtins.isList p then "" else p)
      (builtins.genList (i:
        let p = builtins.elemAt parts i; in
        if i == 0 || builtins.isList p || p == "" then p
        else lib.toUpper (builtins.substring 0 1 p) + builtins.substring 1 (builtins.stringLength p) p)
        (builtins.length parts)));
  argFiles = builtins.listToAttrs (builtins.concatMap
    (file:
      let
        type = argEntries.${file};
        m = builtins.match "([A-Za-z0-9-]+)\\.nix" file;
      in
      if type == "regular" && m != null then [ { name = camel (builtins.head m); value = import (argsDir + "/${file}") self; } ]
      else if type == "directory" && builtins.pathExists (argsDir + "/${file}/default.nix")
      then [ { name = camel file; value = import (argsDir + "/${file}") self; } ]
      else [ ])
    (builtins.attrNames argEntries));

  self = args // { inherit __m__ lib; };

  envVarsTemplate = what: prefix: { name, mapping }: args.makeTemplate {
    name = "make-env-vars-${what}for-${name}";
    replace = {
      __argName__ = lib.toDerivationName name;
      __argMap__ = args.toBashMap mapping;
    };
    template = ''
      # shellcheck shell=bash
      source __argMap__/template map
      info Making environment variables ${what}for __argName__:
      for var in "''${!map[@]}"; do
        info - "${prefix}''${var}=''${map[''${var}]}"
        export "${prefix}''${var}=''${map[''${var}]}"
      done
    '';
  };

  args = {
    inherit (config) inputs outputs projectIdentifier;
    inherit config lib projectPath projectSrc;
    inherit (lib) asContent escapeShellArg escapeShellArgs hasPrefix hasSuffix removePrefix toDerivationName;
    __nixpkgs__ = hostNixpkgs;
    __nixpkgsSrc__ = throw "__nixpkgsSrc__ is not available in m: it ships no nixpkgs source (packages come from the host's Debian, see __nixpkgs__)";
    # makes' CLI passes the main.nix files it found as JSON ({"attrs":["/makes/x/main.nix",…]}).
    attrPaths = builtins.toJSON {
      attrs = map (f: lib.removePrefix projectSrc (toString f)) (builtins.attrValues outputFiles);
    };
    __system__ = system;
    __stateDirs__ = { global = config.globalStateDir; project = config.projectStateDir; };
    __shellCommands__ = ./shell-commands.sh;
    __shellOptions__ = ./shell-options.sh;
    # makeOutput: name: value: { name = "/output"; value = derivation; } (or { }) for each attribute.
    __toModuleOutputs__ = makeOutput: set: builtins.listToAttrs (builtins.concatMap
      (one: if one == { } then [ ] else [ { inherit (one) name; value = lib.mkOverride 100 one.value; } ])
      (lib.flatten (lib.mapAttrsToList makeOutput set)));
    attrsGet = set: name: default: set.${name} or default;
    attrsMapToList = lib.mapAttrsToList;
    attrsMerge = builtins.foldl' lib.recursiveUpdate { };
    attrsOptional = lib.optionalAttrs;
    fetchArchive = notYetAvailable "fetchArchive";
    fetchNixpkgs = notYetAvailable "fetchNixpkgs";
    fetchRubyGem = notYetAvailable "fetchRubyGem";
    fetchUrl = notYetAvailable "fetchUrl";
    computeOnAwsBatch = notYetAvailable "computeOnAwsBatch";
    deployContainer = notYetAvailable "deployContainer";
    deployContainerManifest = notYetAvailable "deployContainerManifest";
    deployTerraform = notYetAvailable "deployTerraform";
    makeDynamoDb = notYetAvailable "makeDynamoDb";
    makeRubyGemsEnvironment = notYetAvailable "makeRubyGemsEnvironment";
    makeRubyGemsInstall = notYetAvailable "makeRubyGemsInstall";
    makeTerraformEnvironment = notYetAvailable "makeTerraformEnvironment";
    testTerraform = notYetAvailable "testTerraform";
    formatTerraform = notYetAvailable "formatTerraform";
    lintTerraform = notYetAvailable "lintTerraform";
    makeSecretForAwsFromGitlab = notYetAvailable "makeSecretForAwsFromGitlab";
    pythonOverrideUtils = throw "pythonOverrideUtils is not yet available in m";
    isDarwin = false;
    isLinux = true;
    makeContainerImage = import ./make-container-image.nix self;
    makeDerivation = import ./make-derivation.nix self;
    makeEnvVars = envVarsTemplate "" "";
    makeEnvVarsForTerraform = envVarsTemplate "for Terraform " "TF_VAR_";
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
  } // argFiles;
in
{
  inherit config outputFiles args;
  inherit (result) options;
}
