# shellcheck shell=bash

function main {
  local args_black=(--config '__argSettingsBlack__')
  local args_isort=(--settings-path '__argSettingsIsort__')
  source __argTargets__/template local targets

  export PYTHONPATH='__argPythonPath__' PYTHONDONTWRITEBYTECODE=1
  if running_in_ci_cd_provider; then
    args_black+=(--diff --check)
    args_isort+=(--diff --check-only)
  fi
  info Formatting Python code
  for target in "${targets[@]}"; do
    python3 -m black "${args_black[@]}" "${target}"
    python3 -m isort "${args_isort[@]}" "${target}"
  done
}

main "${@}"
