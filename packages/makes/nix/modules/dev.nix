# options: dev.<name> (attrs: makeSearchPaths arguments)
# outputs: /dev/<name>, a search-paths template to source into a shell
{ lib, config, __toModuleOutputs__, makeSearchPaths, ... }: {
  options.dev = lib.mkOption {
    type = lib.types.attrsOf lib.types.attrs;
    default = { };
    description = "Development environments: name = makeSearchPaths arguments.";
  };
  config.outputs = __toModuleOutputs__ (name: searchPaths: {
    name = "/dev/${name}";
    value = makeSearchPaths (searchPaths // { withAction = false; });
  }) config.dev;
}
