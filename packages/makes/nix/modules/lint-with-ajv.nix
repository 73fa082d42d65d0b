# options: lintWithAjv.<name> = { schema (str); targets (listOf str); }, paths relative to the project
# outputs: /lintWithAjv/<name>, validating the targets against the JSON schema
{ config, lib, __toModuleOutputs__, lintWithAjv, projectPath, ... }: {
  options.lintWithAjv = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        schema = lib.mkOption { type = lib.types.str; description = "The JSON schema (\"/schema.json\")."; };
        targets = lib.mkOption { type = lib.types.listOf lib.types.str; description = "JSON or YAML files to validate."; };
      };
    });
    default = { };
    description = "Sets of files to validate against a JSON schema.";
  };
  config.outputs = __toModuleOutputs__
    (name: { schema, targets }: {
      name = "/lintWithAjv/${name}";
      value = lintWithAjv {
        inherit name;
        schema = projectPath schema;
        targets = map projectPath targets;
      };
    })
    config.lintWithAjv;
}
