# makeContainerImage: an OCI/Docker image (.tar.gz) of the closure of `layers`, whose top-level
# contents are merged into the image root. Built by m itself (builder `builtin:m-container-image`,
# see @m/makes src/container-image.ts) with @m/image, once the layers are built.
{ __m__, ... }:
{ layers ? [ ], maxLayers ? 65, config ? { } }:
assert builtins.isInt maxLayers && maxLayers >= 2 || throw "makeContainerImage: maxLayers must be an integer of at least 2";
builtins.derivation {
  name = "container-image.tar.gz";
  inherit (__m__) system;
  builder = "builtin:m-container-image";
  inherit layers;
  maxLayers = toString maxLayers;
  config = builtins.toJSON config;
}
