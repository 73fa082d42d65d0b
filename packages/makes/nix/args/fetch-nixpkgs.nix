# fetchNixpkgs { rev, sha256 ? fakeSha256, allowUnfree ? true, acceptAndroidSdkLicense ? true,
# overlays ? [ ] }: nixpkgs at revision rev (makes' src/args/fetch-nixpkgs): its GitHub archive
# (server $M_GITHUB_URL when set, default https://github.com) fetched with builtins.fetchTarball
# and imported with that config and overlays, for real: its lib, functions and other values are
# the fetched nixpkgs'. Package names the host has as Debian packages (inputs.nixpkgs' table,
# nixpkgs-names.nix) answer with those packages, because nixpkgs' own derivations need its
# stdenv bootstrap, which m does not build; every other attribute is the fetched nixpkgs' own.
{ __nixpkgs__, fakeSha256, ... }:
args@{ rev, acceptAndroidSdkLicense ? true, allowUnfree ? true, overlays ? [ ], sha256 ? fakeSha256 }:
let
  set = builtins.getEnv "M_GITHUB_URL";
  base = if set == "" then "https://github.com" else set;
  # The caller's sha256 (when given) keeps its position: a failed fetch points at it.
  src = builtins.fetchTarball ({ inherit sha256; url = "${base}/nixos/nixpkgs/archive/${rev}.tar.gz"; }
    // builtins.intersectAttrs { sha256 = null; } args);
  fetched = import src {
    config = { inherit allowUnfree; android_sdk.accept_license = acceptAndroidSdkLicense; };
    inherit overlays;
  };
in
fetched // builtins.removeAttrs __nixpkgs__ [ "lib" ]
