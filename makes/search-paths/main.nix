# `m . /search-paths`: makeSearchPaths in makes' documented shape, used by a script. `bin` puts
# git on PATH, `source` sources a file with arguments, `export` sets any variable from a package
# and a path below it.
{ inputs, makeScript, makeSearchPaths, ... }:
makeScript {
  name = "search-paths";
  searchPaths.source = [
    (makeSearchPaths {
      bin = [ inputs.nixpkgs.git ];
      source = [ [ ./template.sh "one" "two" "three" ] ];
      export = [ [ "M_EXAMPLE_COREUTILS_BIN" inputs.nixpkgs.coreutils "/bin" ] ];
    })
  ];
  entrypoint = ''
    echo "template saw: $M_EXAMPLE_ARGS"
    echo "git from: $(command -v git)"
    echo "exported: $M_EXAMPLE_COREUTILS_BIN"
  '';
}
