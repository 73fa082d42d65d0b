# options: deployContainerManifest.<name> = { credentials = { token; user; }; image;
#   manifests = [ { image; platform = { architecture; os; }; } ]; setup; sign; tags; }
#   (makes' deployContainerManifest; token and user name environment variables)
# outputs: /deployContainerManifest/<name>, a script writing the multi-platform index `image`
#   (and `tags`) with `m image push-manifest` (args/deploy-container-manifest.nix)
{ config, lib, __toModuleOutputs__, deployContainerManifest, ... }:
let
  makeOutput = name: args: {
    name = "/deployContainerManifest/${name}";
    value = deployContainerManifest {
      inherit name;
      inherit (args) credentials image manifests setup sign tags;
    };
  };
  manifestType = lib.types.submodule {
    options = {
      image = lib.mkOption {
        type = lib.types.str;
        description = "An image already in the registry: registry/repository:tag.";
      };
      platform = {
        architecture = lib.mkOption { type = lib.types.str; description = "Its architecture (amd64, arm64, …)."; };
        os = lib.mkOption { type = lib.types.str; description = "Its operating system (linux)."; };
      };
    };
  };
in
{
  options.deployContainerManifest = lib.mkOption {
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
          description = "Where the index goes: registry/repository:tag.";
        };
        manifests = lib.mkOption {
          type = lib.types.listOf manifestType;
          description = "The images of the index, one per platform.";
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
        tags = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ ];
          description = "More tags for the index.";
        };
      };
    });
    default = { };
    description = "Multi-platform image indexes to write to registries.";
  };
  config.outputs = __toModuleOutputs__ makeOutput config.deployContainerManifest;
}
