# lintMarkdown { name; config; targets; rulesets; }: a derivation running Debian's mdl
# (markdownlint, ruby-mdl: the tool makes ≤ 24.09 used) on each target with the style file
# `config` and the custom rule sets file `rulesets`; the build fails with mdl's findings.
# Debian's Ruby runs from the store: its standard library and the gems mdl needs (each its own
# Debian package, imported) are put on RUBYLIB, and RubyGems is not loaded.
{ __nixpkgs__, makeDerivation, toBashArray, ... }:
{ name, config, targets, rulesets }:
let
  gems = map (p: __nixpkgs__.${p}) [
    "ruby-mdl" "ruby-kramdown" "ruby-kramdown-parser-gfm" "ruby-mixlib-cli" "ruby-mixlib-config"
    "ruby-mixlib-shellout" "ruby-tomlrb" "ruby-chef-utils"
  ];
in
makeDerivation {
  name = "lint-markdown-for-${name}";
  env = {
    envConfig = config;
    envRulesets = rulesets;
    envTargets = toBashArray targets;
    envLibRuby = __nixpkgs__."libruby3.1";
    envMdl = builtins.head gems;
    envGems = gems;
  };
  searchPaths.bin = [ __nixpkgs__."ruby3.1" ];
  builder = ./lint-markdown.sh;
}
