# options: lintBash.enable (bool, false), lintBash.targets (listOf str, [ "/" ])
# outputs: /lintBash, a derivation running shellcheck on every *.sh file under the targets (copied
# into the store); its build fails with shellcheck's findings
{ config, lib, __nixpkgs__, makeDerivation, projectPath, toBashArray, ... }: {
  options.lintBash = {
    enable = lib.mkEnableOption "linting the project's bash files with shellcheck";
    targets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/" ];
      description = "Directories (or files) to lint, relative to the project.";
    };
  };
  config.outputs."/lintBash" = lib.mkIf config.lintBash.enable (makeDerivation {
    name = "lint-bash";
    env.envTargets = toBashArray (map projectPath config.lintBash.targets);
    searchPaths.bin = [ __nixpkgs__.findutils __nixpkgs__.shellcheck ];
    builder = ./builder.sh;
  });
}
