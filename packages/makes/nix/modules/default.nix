# The builtin modules of makes.nix. How a builtin module plugs in:
#
# * One file per module: packages/makes/nix/modules/<name>.nix (or <name>/default.nix when it
#   needs helper files next to it). Every such file in this directory is loaded, sorted by name;
#   nothing has to be registered here. Files whose name starts with "_" are helpers, not modules.
# * The file is a module, as in nixpkgs' lib.evalModules: a function of the module arguments
#   returning { options = …; config = …; } (imports allowed). The module arguments are
#   everything a main.nix gets (makeScript, makeDerivation, inputs, projectPath, fetchNixpkgs,
#   the functions in nix/args/, __toModuleOutputs__, …) plus `config`, `options` and `lib`
#   (lib.mkOption, lib.types.*, lib.mkIf, lib.mkDefault, lib.mkForce, lib.mkMerge, …).
# * Its options are what users set in makes.nix; declare each with lib.mkOption { type;
#   default; description; }. Start the file with a comment listing its options and outputs.
# * It contributes outputs by defining config.outputs."/<name>" (type package: a derivation or
#   a store path), guarded by lib.mkIf so a disabled module adds no output; for one output per
#   attribute use __toModuleOutputs__ (makeOutput: name: value: { name = "/x/${name}"; value = …; }).
#
# Example (modules/format-bash.nix):
#   # options: formatBash.enable (bool, false), formatBash.targets (listOf str, [ "/" ])
#   # outputs: /formatBash
#   { config, lib, formatBash, ... }: {
#     options.formatBash = {
#       enable = lib.mkOption { type = lib.types.bool; default = false; description = "Format the project's bash files."; };
#       targets = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ "/" ]; description = "Paths to format, relative to the project."; };
#     };
#     config.outputs."/formatBash" = lib.mkIf config.formatBash.enable (formatBash {
#       name = "builtin";
#       targets = map (rel: "." + rel) config.formatBash.targets;
#     });
#   }
#
# Returns the list of module files (paths), for nix/default.nix to evaluate with makes.nix.
let
  entries = builtins.readDir ./.;
  isModule = name:
    let type = entries.${name}; in
    builtins.substring 0 1 name != "_" && name != "default.nix" && (
      (type == "regular" && builtins.match ".*\\.nix" name != null)
      || (type == "directory" && builtins.pathExists (./. + "/${name}/default.nix")));
in
map (name: ./. + "/${name}") (builtins.filter isModule (builtins.attrNames entries))
