# shellcheck shell=bash

function main {
  local files=()
  source __argTargets__/template local targets

  info Formatting YAML files \
    && mapfile -d '' files < <(
      find "${targets[@]}" \
        \( -type d \( -name .git -o \( -name store -exec test -d '{}/.m' \; \) \) -prune \) \
        -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z
    ) \
    && if test "${#files[@]}" -eq 0; then
      info No YAML files found
    elif ! node __argFormatter__ "${files[@]}"; then
      error Some files did not comply with the YAML format. They were formatted and this job fails.
    fi
}

main "${@}"
