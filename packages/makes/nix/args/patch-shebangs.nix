# patchShebangs: a template that, sourced, defines `patch_shebangs PATH…`: the `#!` line of every
# executable file under the paths is rewritten to the interpreter found on PATH (`/usr/bin/env x`
# becomes the path of x), as nixpkgs' patchShebangs, simplified as in makes.
{ __nixpkgs__, makeTemplate, ... }:
makeTemplate {
  name = "patch-shebangs";
  searchPaths.bin = [ __nixpkgs__.findutils __nixpkgs__.sed ];
  template = ./patch-shebangs.sh;
}
