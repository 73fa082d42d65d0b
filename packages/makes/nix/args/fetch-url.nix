# fetchUrl { url, sha256 ? fakeSha256 }: the file at url, checked against sha256 (makes'
# src/args/fetch-url, nixpkgs' fetchurl). m downloads it at evaluation time with builtins.fetchurl:
# the same store path as nixpkgs' fixed-output derivation (flat sha256, name baseNameOf url),
# given as that store path. Without sha256 the fetch fails with the hash to write.
{ fakeSha256, ... }:
# The caller's own set is passed on (`//` keeps its positions): a failed fetch points at its url.
args@{ url, sha256 ? fakeSha256 }:
builtins.fetchurl ({ inherit sha256; } // args)
