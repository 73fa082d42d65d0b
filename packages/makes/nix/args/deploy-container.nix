# deployContainer { name; credentials = { token; user; }; image; setup ? [ ]; sign ? false; src; }:
# makes' deployContainer. A makeScript that pushes the image archive `src` (a makeContainerImage
# output) to `image` ("registry/repo:tag") with `m image push`: blobs the registry has are
# skipped, the others streamed from the archive in the store, and the manifest is tagged.
# credentials.token and credentials.user name environment variables, read when the script runs
# (only the names are in the store); without a user, the token is sent as a bearer token.
# M_REGISTRY_TLS_VERIFY=false lets it reach a plain http registry. sign (cosign keyless) is
# refused: cosign is not packaged in Debian.
{ makeScript, ... }:
{ credentials, image, name, setup ? [ ], sign ? false, src }:
if sign then
  throw "deployContainer '${name}': sign = true needs cosign, which m cannot provide (not packaged in Debian); set sign = false"
else
  makeScript {
    name = "deploy-container-for-${name}";
    replace = {
      __argCredentialsToken__ = credentials.token;
      __argCredentialsUser__ = credentials.user or "";
      __argImage__ = image;
      __argSrc__ = src;
    };
    entrypoint = ./deploy-container.sh;
    searchPaths.source = setup;
  }
