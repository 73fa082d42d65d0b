# options: lintGitMailMap.enable (bool, false), lintGitMailMap.exclude (str regex, "^$")
# outputs: /lintGitMailMap, checking the repository's .mailmap against its history
{ config, lib, lintGitMailMap, ... }: {
  options.lintGitMailMap = {
    enable = lib.mkEnableOption "checking the repository's .mailmap";
    exclude = lib.mkOption {
      type = lib.types.str;
      default = "^$";
      description = "Authors (\"Name <email>\") matching this extended regex need no .mailmap entry.";
    };
  };
  config.outputs."/lintGitMailMap" = lib.mkIf config.lintGitMailMap.enable (lintGitMailMap {
    name = "lint-git-mailmap";
    src = ".";
    inherit (config.lintGitMailMap) exclude;
  });
}
