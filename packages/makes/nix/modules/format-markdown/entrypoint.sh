# shellcheck shell=bash

function main {
  source __argTargets__/template local targets
  source __argDoctocArgs__/template local doctoc_args
  local tmp path failed=0

  info Formatting Markdown code \
    && tmp="$(mktemp)" \
    && for path in "${targets[@]}"; do
      info Formatting "${path}" \
        && cp "${path}" "${tmp}" \
        && node __argToc__ "${doctoc_args[@]}" "${path}" \
        && if git --no-pager diff --no-index "${tmp}" "${path}"; then
          info Table of contents is ok
        else
          echo "[ERROR] The table of contents of ${path} was out of date; it is updated now and this job fails." >&2
          failed=1
        fi \
        || return 1
    done \
    && rm -f "${tmp}" \
    && test "${failed}" = 0
}

main "${@}"
