# shellcheck shell=bash

function main {
  local up_to_date=true

  info Generating gitlab-ci.yaml @ __argGitlabPath__
  if test -e __argGitlabPath__; then
    git --no-pager diff --no-index __argGitlabPath__ __argGitlabCiYaml__ || up_to_date=false
  else
    git --no-pager diff --no-index /dev/null __argGitlabCiYaml__ || true
    up_to_date=false
  fi
  copy __argGitlabCiYaml__ __argGitlabPath__
  if test "${up_to_date}" != true; then
    error __argGitlabPath__ was not up to date
  fi
}

main "${@}"
