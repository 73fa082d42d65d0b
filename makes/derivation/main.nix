# `m . /derivation`: makeDerivation in makes' documented shape: a builder with `env` values,
# makes' log functions (debug, info) and a program from a host package on PATH (searchPaths.bin).
# It runs in the sandbox: no network, no host files, HOME=/homeless-shelter; the result is $out.
{ inputs, makeDerivation, ... }:
makeDerivation {
  name = "derivation";
  env.envVersion = "1.0";
  searchPaths.bin = [ inputs.nixpkgs.findutils ];
  builder = ''
    debug "Version is $envVersion"
    info "Listing what was made in $PWD"
    mkdir dir
    touch dir/file
    find dir | sort > "$out"
    echo "version $envVersion, HOME=$HOME" >> "$out"
  '';
}
