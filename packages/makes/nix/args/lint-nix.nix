# lintNix { name; targets; }: a script checking every .nix file under targets (relative to the
# working directory). makes runs statix, which Debian does not ship; the closest real tool there
# is Nix's own parser: Debian's nix-instantiate --parse (Nix 2.8, with a dummy store so it needs no
# daemon) reports each syntax error with its file:line:col. statix's style lints are not run.
{ __nixpkgs__, makeScript, toBashArray, ... }:
{ name, targets, ... }:
makeScript {
  name = "lint-nix-for-${name}";
  replace.__argTargets__ = toBashArray targets;
  searchPaths.bin = [ __nixpkgs__.findutils __nixpkgs__.nix-bin ];
  entrypoint = ./lint-nix.sh;
}
