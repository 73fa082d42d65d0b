# deployContainerManifest { name; credentials = { token; user; }; image; manifests; setup ? [ ];
# sign ? false; tags ? [ ]; }: makes' deployContainerManifest. A makeScript writing a
# multi-platform index at `image` (and each of `tags`) from images already in the registry
# (`manifests`: [ { image; platform = { architecture; os; }; } ]) with `m image push-manifest`,
# the spec being manifest-tool's from-spec document as JSON. Credentials as deployContainer's;
# sign (cosign) is refused: cosign is not packaged in Debian.
{ makeScript, toFileJson, ... }:
{ credentials, image, manifests, name, setup ? [ ], sign ? false, tags ? [ ] }:
if sign then
  throw "deployContainerManifest '${name}': sign = true needs cosign, which m cannot provide (not packaged in Debian); set sign = false"
else
  makeScript {
    name = "deploy-container-manifest-for-${name}";
    replace = {
      __argConfig__ = toFileJson "manifest.json" { inherit image manifests tags; };
      __argCredentialsToken__ = credentials.token;
      __argCredentialsUser__ = credentials.user or "";
    };
    entrypoint = ./deploy-container-manifest.sh;
    searchPaths.source = setup;
  }
