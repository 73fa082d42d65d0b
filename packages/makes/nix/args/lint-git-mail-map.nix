# lintGitMailMap { name; src; exclude; }: a script checking the .mailmap of the git repository at
# src (relative to the working directory) as makes' mailmap-linter does (that tool is not
# packaged anywhere m can reach, so its checks are run here with Debian's git):
#   - .mailmap exists;
#   - every line is `Name FamilyName <email> Commit Name <commit email>`;
#   - every author in the history (`%an <%ae>`, authors matching the regex `exclude` left out)
#     is the commit identity of a line;
#   - the lines are sorted (LC_ALL=C sort order).
{ __nixpkgs__, makeScript, ... }:
{ name, src, exclude ? "^$" }:
makeScript {
  name = "lint-git-mailmap-for-${name}";
  replace = {
    __argSrc__ = src;
    __argExclude__ = exclude;
  };
  searchPaths.bin = [ __nixpkgs__.git __nixpkgs__.grep ];
  entrypoint = ./lint-git-mail-map.sh;
}
