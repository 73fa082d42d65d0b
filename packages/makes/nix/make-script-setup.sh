#! __argShell__
# shellcheck shell=bash
# Prologue of every makeScript: options, a clean set of search paths, a private HOME
# (the caller's is in HOME_IMPURE) and a STATE directory.

source __argShellOptions__

function running_in_ci_cd_provider {
  test -n "${CI-}"
}

function setup {
  export HOME HOME_IMPURE STATE
  source __argSearchPathsEmpty__/template
  source __argSearchPathsBase__/template
  if test -z "${HOME_IMPURE-}"; then
    HOME_IMPURE="${HOME-}"
    HOME="$(mktemp -d)"
  fi
  STATE="__argStateDir__/__argName__"
  if test __argPersistState__ -eq 0; then
    rm -rf "$STATE"
  fi
  mkdir -p "$STATE"
  source __argShellCommands__
  source __argSearchPaths__/template
}

setup
