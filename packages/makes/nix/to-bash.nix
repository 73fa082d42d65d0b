# toBashArray / toBashMap: templates that, sourced as `source "$x/template" local|export NAME`
# (array) or `source "$x/template" NAME` (map), define a bash array or associative array.
{ lib, makeTemplate, ... }:
{
  toBashArray = list: makeTemplate {
    name = "to-bash-array";
    replace.__argArray__ = lib.escapeShellArgs list;
    template = ''
      # shellcheck shell=bash
      case "$1" in
        local | export) ;;
        *) critical "First argument must be one of: local, export" ;;
      esac
      eval "$1" "$2=( __argArray__ )"
    '';
  };

  toBashMap = attrs: makeTemplate {
    name = "to-bash-map";
    replace.__argMap__ = builtins.concatStringsSep " "
      (lib.mapAttrsToList (k: v: lib.escapeShellArg "[${k}]=${lib.escapeShellArg v}") attrs);
    template = ''
      # shellcheck shell=bash
      eval declare -A "$1"='(' __argMap__ ')'
    '';
  };
}
