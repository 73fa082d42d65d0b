# options: projectIdentifier (str, ""), globalStateDir (str), projectStateDir (str),
#          extendingMakesDirs (listOf str, [ "/makes" ]), outputs (attrsOf package)
# outputs: none itself; `outputs` collects every module's outputs and the main.nix files
#          (defined by nix/default.nix).
{ lib, config, ... }: {
  options = {
    projectIdentifier = lib.mkOption {
      type = lib.types.str;
      default = "";
      description = "A name for the project, used for its state directory.";
    };
    globalStateDir = lib.mkOption {
      type = lib.types.str;
      default = "$HOME_IMPURE/.cache/m/state";
      apply = lib.removeSuffix "/";
      description = "Where scripts keep state shared by all projects (may use $HOME_IMPURE).";
    };
    projectStateDir = lib.mkOption {
      type = lib.types.str;
      default = config.globalStateDir + "/" + config.projectIdentifier;
      apply = lib.removeSuffix "/";
      description = "Where scripts of this project keep state (default: globalStateDir/projectIdentifier).";
    };
    extendingMakesDirs = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/makes" ];
      description = "Directories of the project searched for main.nix files, each an output named by its folder.";
    };
    outputs = lib.mkOption {
      type = lib.types.attrsOf lib.types.package;
      default = { };
      description = "Every output of the project: \"/name\" = derivation. Builtin modules and jobs add to it.";
    };
  };
}
