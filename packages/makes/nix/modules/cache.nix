# options: cache.readNixos (bool, false in m: see src/cache-config.ts), cache.extra.<name>
#          { enable; url; pubKey; token; type; write; } (read by src/cache-config.ts)
# outputs: none
{ lib, ... }: {
  options.cache = {
    readNixos = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Also read https://cache.nixos.org (m builds from host packages, which it never has).";
    };
    extra = lib.mkOption {
      default = { };
      description = "Binary caches to read, and to write when `write` is set and the token is in the environment.";
      type = lib.types.attrsOf (lib.types.submodule {
        options = {
          enable = lib.mkOption { type = lib.types.bool; default = false; description = "Use this cache."; };
          url = lib.mkOption { type = lib.types.str; description = "The binary cache (file://, http://, https://)."; };
          pubKey = lib.mkOption { type = lib.types.str; default = ""; description = "Its public key, name:base64."; };
          token = lib.mkOption { type = lib.types.str; default = ""; description = "Name of the environment variable holding the write token."; };
          type = lib.mkOption { type = lib.types.str; description = "\"cachix\", or any other for the plain binary-cache protocol."; };
          write = lib.mkOption { type = lib.types.bool; default = false; description = "Push built outputs to it."; };
        };
      });
    };
  };
}
