# options: formatMarkdown.enable (bool, false), formatMarkdown.targets (listOf str, required),
#   formatMarkdown.doctocArgs (listOf str, [ ]: --notitle, --title TEXT, --maxlevel N)
# outputs: /formatMarkdown, updating the table of contents of each target (between doctoc's
# markers, added at the top when missing) and failing with the diff when one was out of date.
# makes installs doctoc from npm at run time; Debian has no doctoc, so its table of contents is
# written by toc.js here, with the headings found by Debian's markdown-it (a CommonMark parser)
# and GitHub's anchor rules.
{ config, lib, __nixpkgs__, makeScript, toBashArray, ... }: {
  options.formatMarkdown = {
    enable = lib.mkEnableOption "keeping the tables of contents of Markdown files up to date";
    doctocArgs = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Options of the table of contents: --notitle, --title TEXT, --maxlevel N.";
    };
    targets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      description = "Markdown files, relative to the project (\"/README.md\").";
    };
  };
  config.outputs."/formatMarkdown" = lib.mkIf config.formatMarkdown.enable (makeScript {
    name = "format-markdown";
    replace = {
      __argDoctocArgs__ = toBashArray config.formatMarkdown.doctocArgs;
      __argTargets__ = toBashArray (map (rel: "." + rel) config.formatMarkdown.targets);
      __argToc__ = ./toc.js;
    };
    searchPaths = {
      bin = [ __nixpkgs__.git __nixpkgs__.nodejs ];
      nodeModule = [ "${__nixpkgs__.node-markdown-it}/share/nodejs" ];
    };
    entrypoint = ./entrypoint.sh;
  });
}
