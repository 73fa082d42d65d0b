# shellcheck shell=bash

function main {
  source __argTargets__/template local targets

  info "Compiling schema: __argSchema__" \
    && node __argValidator__ '__argSchema__' "${targets[@]}"
}

main "${@}"
