# options: formatPython.<name> = { config = { black (path, ./black.toml); isort (path,
#   ./isort.cfg); }; targets (listOf str, [ "/" ]); }
# outputs: /formatPython/<name>, a script formatting the targets with Debian's black and isort
# (makes ≤ 24.09's formatPython; removed from makes in 24.12)
{ config, lib, __toModuleOutputs__, formatPython, ... }: {
  options.formatPython = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        config = {
          black = lib.mkOption {
            type = lib.types.path;
            default = ./black.toml;
            description = "black's settings ([tool.black]); default: line length 79, Python 3.11.";
          };
          isort = lib.mkOption {
            type = lib.types.path;
            default = ./isort.cfg;
            description = "isort's settings ([isort]); default: black-compatible, one import per line.";
          };
        };
        targets = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ "/" ];
          description = "Files or directories to format, relative to the project.";
        };
      };
    });
    default = { };
    description = "Sets of Python files formatted with black and isort.";
  };
  config.outputs = __toModuleOutputs__ (name: set: {
    name = "/formatPython/${name}";
    value = formatPython { inherit name; inherit (set) config targets; };
  }) config.formatPython;
}
