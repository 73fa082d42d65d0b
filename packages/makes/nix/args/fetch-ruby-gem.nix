# fetchRubyGem { url, sha256 ? fakeSha256, ... }: a .gem file, as fetchUrl (makes' src/args/fetch-rubygem).
{ fetchUrl, ... }:
{ url, sha256 ? null, ... }@args:
fetchUrl (builtins.intersectAttrs { url = null; sha256 = null; } args)
