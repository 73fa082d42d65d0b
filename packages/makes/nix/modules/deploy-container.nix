# options: deployContainer.<name> = { credentials = { token; user; }; image; setup; sign; src; }
#   (makes' deployContainer: token and user name environment variables)
# outputs: /deployContainer/<name>, a script pushing the image `src` to the registry `image`
#   with `m image push` (args/deploy-container.nix)
{ config, lib, __toModuleOutputs__, deployContainer, ... }:
let
  makeOutput = name: args: {
    name = "/deployContainer/${name}";
    value = deployContainer {
      inherit name;
      inherit (args) credentials image setup sign src;
    };
  };
in
{
  options.deployContainer = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        credentials = {
          token = lib.mkOption {
            type = lib.types.str;
            description = "Name of the environment variable holding the registry password or token.";
          };
          user = lib.mkOption {
            type = lib.types.str;
            default = "";
            description = "Name of the environment variable holding the registry user (\"\": the token is a bearer token).";
          };
        };
        image = lib.mkOption {
          type = lib.types.str;
          description = "Where to push: registry/repository:tag.";
        };
        setup = lib.mkOption {
          type = lib.types.listOf lib.types.package;
          default = [ ];
          description = "Makes environments or secrets to source first.";
        };
        sign = lib.mkOption {
          type = lib.types.bool;
          default = false;
          description = "Sign with cosign (not available in m).";
        };
        src = lib.mkOption {
          type = lib.types.package;
          description = "The image: a makeContainerImage output.";
        };
      };
    });
    default = { };
    description = "Container images to push to registries.";
  };
  config.outputs = __toModuleOutputs__ makeOutput config.deployContainer;
}
