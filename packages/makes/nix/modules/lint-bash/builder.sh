# shellcheck shell=bash

function main {
  local tmp target file
  source "${envTargets}/template" local targets
  local args=(
    "--exclude=SC1090,SC1091,SC2016,SC2153,SC2154"
    --external-sources
  )
  # SC1090: can't follow non-constant source; SC1091: not following a sourced file;
  # SC2016: expressions don't expand in single quotes; SC2153: possible misspelling;
  # SC2154: referenced but not assigned (placeholders and makes' variables).

  info Linting bash code \
    && tmp="$(mktemp)" \
    && for target in "${targets[@]}"; do
      find "${target}" -wholename '*.sh' -type f | sort --ignore-case > "${tmp}" \
        && while read -r file; do
          info Linting "${file}" \
            && shellcheck "${args[@]}" "${file}" \
            || return 1
        done < "${tmp}" \
        || return 1
    done \
    && touch "${out}"
}

main "${@}"
