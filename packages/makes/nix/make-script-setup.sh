#! __argShell__
# shellcheck shell=bash
# Prologue of every makeScript: options, a clean set of search paths, a private HOME
# (the caller's is in HOME_IMPURE), a STATE directory, SSL_CERT_FILE, and makes' prompts.

source __argShellOptions__

# True on a CI/CD provider (GitLab, GitHub, Travis and others set CI).
function running_in_ci_cd_provider {
  export CI
  test -n "${CI-}"
}

# Stops the script unless the user types CONFIRM (on CI, goes on as if they had).
function prompt_user_for_confirmation {
  local answer
  warn 'Please type "CONFIRM" to continue:'
  if running_in_ci_cd_provider; then
    info 'Running on CI/CD provider, assuming you would have confirmed'
    return 0
  fi
  read -e -r -p '>>> ' answer || answer=
  if test "${answer}" != CONFIRM; then
    critical 'Only CONFIRM will be accepted as an answer, aborting'
  fi
}

# prompt_user_for_input DEFAULT: prints the line the user types, or DEFAULT for an empty line
# (on CI, DEFAULT). The question goes to stderr, so `x="$(prompt_user_for_input d)"` works.
function prompt_user_for_input {
  local answer
  local default="${1}"
  info "Please type your input or press enter to use: ${default}, as response"
  if running_in_ci_cd_provider; then
    info "Running on CI/CD provider, assuming you would have chosen: ${default}"
    echo "${default}"
    return 0
  fi
  read -e -r -p '>>> ' answer || answer=
  if test -n "${answer}"; then
    echo "${answer}"
  else
    echo "${default}"
  fi
}

function setup {
  export HOME HOME_IMPURE STATE
  export SSL_CERT_FILE='__argCaCert__/etc/ssl/certs/ca-bundle.crt'
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
