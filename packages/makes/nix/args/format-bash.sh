# shellcheck shell=bash

function main {
  local args=(
    -bn  # binary operators at the beginning of lines
    -ci  # indent switch cases
    -i 2 # indent with 2 spaces
    -s   # simplify the code
    -sr  # a space after redirect operators
  )
  local files=() scripts=()
  source __argTargets__/template local targets

  if running_in_ci_cd_provider; then
    args+=(-d)
  else
    args+=(-w)
  fi

  # The files under the targets, .git and m stores (a store/ holding .m/) left out; shfmt -f
  # keeps the shell scripts among them (by extension or #! line).
  info Formatting bash code \
    && mapfile -d '' files < <(
      find "${targets[@]}" \
        \( -type d \( -name .git -o \( -name store -exec test -d '{}/.m' \; \) \) -prune \) \
        -o -type f -print0 | sort -z
    ) \
    && if test "${#files[@]}" -gt 0; then
      mapfile -t scripts < <(printf '%s\0' "${files[@]}" | xargs -0 shfmt -f)
    fi \
    && if test "${#scripts[@]}" -gt 0; then
      shfmt "${args[@]}" "${scripts[@]}"
    fi
}

main "${@}"
