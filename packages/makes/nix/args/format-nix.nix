# formatNix { name; targets; }: a script formatting the .nix files under targets (relative to
# the working directory). makes runs nixfmt; no Nix formatter (nixfmt, alejandra, nixpkgs-fmt) is
# packaged in Debian 12 or published on npm, so m's formatNix does the layout-independent part
# with Debian's sed and Nix's own parser: line ends, trailing whitespace, tabs in indentation,
# runs of blank lines and the final newline are normalised, and the result is kept only when
# Debian's nix-instantiate --parse gives the same expression as before (whitespace inside
# strings is meaning, so such a file is left as it is and named). It does not re-layout code.
# In CI ($CI set) it changes nothing and fails, with a diff, when a file is not formatted; a
# file with a syntax error fails with Nix's file:line:col message.
{ __nixpkgs__, makeScript, toBashArray, ... }:
{ name, targets, ... }:
makeScript {
  name = "format-nix-for-${name}";
  replace.__argTargets__ = toBashArray targets;
  searchPaths.bin = [ __nixpkgs__.findutils __nixpkgs__.gnused __nixpkgs__.diffutils __nixpkgs__.nix-bin ];
  entrypoint = ./format-nix.sh;
}
