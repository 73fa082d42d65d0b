# shellcheck shell=bash

function main {
  local config='__argConfig__'
  local token_var='__argCredentialsToken__'
  local user_var='__argCredentialsUser__'

  if test -z "${M_CLI-}" || test -z "${M_NODE-}"; then
    critical "deployContainerManifest pushes with m: run it as an output of m (M_CLI and M_NODE are not set)"
  fi
  require_env_var "${token_var}"
  # The secrets go to m through its environment, never on a command line.
  unset M_REGISTRY_USER M_REGISTRY_PASSWORD M_REGISTRY_TOKEN
  if test -n "${user_var}"; then
    require_env_var "${user_var}"
    export M_REGISTRY_USER="${!user_var}"
    export M_REGISTRY_PASSWORD="${!token_var}"
  else
    export M_REGISTRY_TOKEN="${!token_var}"
  fi
  info "Deploying container manifest: ${config}"
  "${M_NODE}" "${M_CLI}" image push-manifest "${config}"
}

main "${@}"
