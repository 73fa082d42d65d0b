# libGit: a template that, sourced, defines is_git_repository PATH, require_git_repository PATH,
# get_abbrev_rev PATH REV and get_commit_from_rev PATH REV, using Debian's git.
{ __nixpkgs__, makeTemplate, ... }:
makeTemplate {
  name = "lib-git";
  searchPaths.bin = [ __nixpkgs__.git ];
  template = ./lib-git.sh;
}
