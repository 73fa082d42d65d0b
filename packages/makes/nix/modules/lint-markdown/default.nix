# options: lintMarkdown.<name> = { targets (listOf str); config (nullOr str, null: ./style.rb);
#   rulesets (nullOr str, null: ./rulesets.rb) } (paths relative to the project)
# outputs: /lintMarkdown/<name>, a build running Debian's mdl on the targets (makes ≤ 24.09's
# lintMarkdown; removed from makes in 24.12). As in makes with nixpkgs' module system, a set that
# sets `config` is read as a full module: write lintMarkdown.<name>.config = { targets; config; }.
{ config, lib, __toModuleOutputs__, lintMarkdown, projectPath, ... }: {
  options.lintMarkdown = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        targets = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          description = "Markdown files or directories to lint, relative to the project.";
        };
        config = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          description = "mdl style file (Ruby DSL) in the project; null: every rule but MD024, MD007 with indent 3.";
        };
        rulesets = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          description = "mdl file of custom rules in the project; null: none.";
        };
      };
    });
    default = { };
    description = "Sets of Markdown files linted with mdl.";
  };
  config.outputs = __toModuleOutputs__ (name: set: {
    name = "/lintMarkdown/${name}";
    value = lintMarkdown {
      inherit name;
      config = if set.config == null then ./style.rb else projectPath set.config;
      rulesets = if set.rulesets == null then ./rulesets.rb else projectPath set.rulesets;
      targets = map projectPath set.targets;
    };
  }) config.lintMarkdown;
}
