# formatBash { name; targets; }: a script formatting the bash files under targets (relative to
# the working directory) in place with Debian's shfmt, makes' style (-bn -ci -i 2 -s -sr). In CI
# ($CI set) it changes nothing, prints shfmt's diff and fails when a file is not formatted.
{ __nixpkgs__, makeScript, toBashArray, ... }:
{ name, targets, ... }:
makeScript {
  name = "format-bash-for-${name}";
  replace.__argTargets__ = toBashArray targets;
  searchPaths.bin = [ __nixpkgs__.findutils __nixpkgs__.shfmt ];
  entrypoint = ./format-bash.sh;
}
