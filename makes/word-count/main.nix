# `m . /word-count`: a makeDerivation whose builder uses programs of host packages
# (searchPaths.bin) and files of the project copied into the store by content (projectPath).
{ inputs, makeDerivation, projectPath, ... }:
makeDerivation {
  name = "word-count";
  env = {
    envSources = projectPath "/makes";
  };
  searchPaths.bin = [ inputs.nixpkgs.findutils inputs.nixpkgs.grep ];
  builder = ''
    mkdir "$out"
    cd "$envSources"
    find . -name main.nix | sort > "$out/outputs"
    info "counting words of $(wc -l < "$out/outputs") main.nix files"
    find . -name main.nix -print0 | sort -z | xargs -0 wc -w > "$out/words"
    grep -c makeDerivation $(cat "$out/outputs") > "$out/uses-of-makeDerivation" || true
  '';
}
