# shellcheck shell=bash

function main {
  local extra_src
  source __argExtraFlags__/template local extra_flags
  source __argExtraSrcs__/template extra_srcs

  export PYTHONPATH="${PYTHONPATH:+${PYTHONPATH}:}__argPytestPath__" PYTHONDONTWRITEBYTECODE=1
  cd "$(mktemp -d)"
  copy __argProject__ __project__
  for extra_src in "${!extra_srcs[@]}"; do
    copy "${extra_srcs[${extra_src}]}" "${extra_src}"
  done
  cd "__project____argSrc__"
  python3 -m pytest \
    -p no:cacheprovider \
    --capture tee-sys \
    --disable-pytest-warnings \
    --durations 10 \
    --exitfirst \
    --showlocals \
    --show-capture no \
    -vvv \
    "${extra_flags[@]}"
}

main "${@}"
