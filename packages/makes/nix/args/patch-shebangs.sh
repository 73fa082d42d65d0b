# shellcheck shell=bash

# Rewrites the #! line of each executable file under $1; fails on the first it cannot patch.
function _patch_shebang {
  find -L "${1}" -type f -perm -0100 | while read -r path; do
    read -r shebang < "${path}" || true
    if [[ ${shebang} != '#!'* ]]; then
      continue
    fi
    read -r interpreter arg0 args <<< "${shebang:2}"
    case "${interpreter}" in
      */bin/env)
        if [[ ${arg0} == -* || ${arg0} == *=* ]]; then
          echo "[ERROR] Couldn't patch ${path}: ${shebang}" >&2
          exit 1
        fi
        found="$(command -v "${arg0}")" || {
          echo "[ERROR] Couldn't patch ${path}: ${arg0} is not on PATH" >&2
          exit 1
        }
        shebang="${found}${args:+ ${args}}"
        ;;
      *)
        found="$(command -v "$(basename "${interpreter}")")" || {
          echo "[ERROR] Couldn't patch ${path}: $(basename "${interpreter}") is not on PATH" >&2
          exit 1
        }
        shebang="${found}${arg0:+ ${arg0}}${args:+ ${args}}"
        ;;
    esac
    sed -i -e "1 s|.*|#! ${shebang//\\/\\\\}|" "${path}"
  done
}

# patch_shebangs PATH…: patches every executable file under each existing PATH.
function patch_shebangs {
  local path
  for path in "${@}"; do
    if test -e "${path}"; then
      _patch_shebang "${path}" || return 1
    fi
  done
}
