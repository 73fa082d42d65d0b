# testLicense: a script running Debian's reuse lint in the working directory (REUSE: every file
# has copyright and licensing information); its findings are printed and it fails when one is
# missing.
{ __nixpkgs__, makeScript, ... }:
makeScript {
  name = "test-license";
  searchPaths.bin = [ __nixpkgs__.git __nixpkgs__.reuse ];
  entrypoint = ./test-license.sh;
}
