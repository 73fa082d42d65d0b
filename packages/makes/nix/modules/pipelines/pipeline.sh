# shellcheck shell=bash

function main {
  source __argJobs__/template local jobs
  source __argNames__/template local names

  info Running pipeline
  for i in "${!jobs[@]}"; do
    info "Running job: ${names[i]}"
    "${jobs[i]}/makes-action.sh" "${jobs[i]}" || critical "Job failed: ${names[i]}"
  done
  info Pipeline succeeded
}

main "${@}"
