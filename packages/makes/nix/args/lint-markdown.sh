# shellcheck shell=bash

function main {
  local rubylib="${envLibRuby}/lib/ruby/3.1.0:${envLibRuby}/lib/x86_64-linux-gnu/ruby/3.1.0"
  local dir gem mdl
  source "${envTargets}/template" local targets

  for dir in "${envLibRuby}"/lib/ruby/gems/3.1.0/gems/rexml-*/lib; do rubylib+=":${dir}"; done
  for gem in ${envGems}; do
    for dir in "${gem}"/share/rubygems-integration/all/gems/*/lib; do rubylib+=":${dir}"; done
  done
  export RUBYLIB="${rubylib}"
  mdl=$(echo "${envMdl}"/share/rubygems-integration/all/gems/mdl-*/bin/mdl)

  info Linting Markdown code
  for target in "${targets[@]}"; do
    info Linting "${target}"
    ruby3.1 --disable-gems "${mdl}" --ignore-front-matter --style "${envConfig}" --rulesets "${envRulesets}" "${target}" \
      || critical "mdl found problems in ${target}"
  done
  touch "${out}"
}

main "${@}"
