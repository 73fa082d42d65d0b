# shellcheck shell=bash

function main {
  local args=(
    -bn  # binary operators at the beginning of lines
    -ci  # indent switch cases
    -i 2 # indent with 2 spaces
    -s   # simplify the code
    -sr  # a space after redirect operators
  )
  local target
  source __argTargets__/template local targets

  if running_in_ci_cd_provider; then
    args+=(-d)
  else
    args+=(-w)
  fi

  info Formatting bash code \
    && for target in "${targets[@]}"; do
      shfmt "${args[@]}" "${target}" || return 1
    done
}

main "${@}"
