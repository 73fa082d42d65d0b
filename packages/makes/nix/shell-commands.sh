# shellcheck shell=bash
# Helpers available in every makeDerivation builder and makeScript entrypoint.

function echo_stderr {
  echo "$@" >&2
}

function debug {
  echo_stderr "[DEBUG]" "$@"
}

function info {
  echo_stderr "[INFO]" "$@"
}

function warn {
  echo_stderr "[WARNING]" "$@"
}

# Prints and returns 1 (so `set -e` stops the script).
function error {
  echo_stderr "[ERROR]" "$@"
  return 1
}

# Prints and exits 1.
function critical {
  echo_stderr "[CRITICAL]" "$@"
  exit 1
}

# copy SRC DEST: recursive copy of SRC as DEST, made writable.
function copy {
  cp --no-target-directory --recursive "$@"
  chmod --recursive +w "${@: -1}"
}

function require_env_var {
  local name="$1"
  if test -z "${!name-}"; then
    critical "Env var is required but is empty or not present: $name"
  fi
}
