# shellcheck shell=bash

function main {
  local failed=0 file target
  source __argTargets__/template local targets

  info Linting Nix code \
    && for target in "${targets[@]}"; do
      while IFS= read -r -d '' file; do
        info Linting "${file}"
        if ! nix-instantiate --store dummy:// --parse "${file}" > /dev/null; then
          failed=1
        fi
      done < <(
        find "${target}" \
          \( -type d \( -name .git -o \( -name store -exec test -d '{}/.m' \; \) \) -prune \) \
          -o -type f -name '*.nix' -print0 | sort -z
      )
    done \
    && if test "${failed}" = 1; then
      error Some Nix files have syntax errors
    fi
}

main "${@}"
