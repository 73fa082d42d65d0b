# options: config (attrsOf anything): what makes' CLI reads of the project ({ outputs = [ names ]; });
#          configAsJson (package): that as a JSON file in the store
# outputs: none (as makes: its CLI builds configAsJson to list outputs; m's reads config.outputs)
{ config, lib, toFileJson, ... }: {
  options = {
    config = lib.mkOption {
      type = lib.types.attrsOf lib.types.anything;
      description = "The project's configuration as makes' CLI reads it: { outputs = [ \"/name\" … ]; }.";
    };
    configAsJson = lib.mkOption {
      type = lib.types.package;
      description = "config as a JSON file (config.json) in the store.";
    };
  };
  config = {
    config.outputs = builtins.attrNames config.outputs;
    configAsJson = toFileJson "config.json" config.config;
  };
}
