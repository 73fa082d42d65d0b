# shellcheck shell=bash

function main {
  local failed=0 line number=0 author
  local line_regex='^[^<> ]+( [^<> ]+)+ <[^<> @]+@[^<> ]+> [^<>]+ <[^<> ]+>$'
  local mailmap=() authors=()

  cd '__argSrc__' || critical "cannot enter __argSrc__"
  info Verifying that .mailmap exists \
    && if ! test -f .mailmap; then
      critical .mailmap does not exist in "${PWD}"
    fi \
    && info Reading .mailmap \
    && mapfile -t mailmap < <(grep -v -e '^#' -e '^[[:space:]]*$' .mailmap) \
    && info Verifying the format of .mailmap \
    && for line in "${mailmap[@]}"; do
      number=$((number + 1))
      if [[ ${line} =~ ${line_regex} ]]; then
        info "  Ok: ${line}"
      else
        echo "[ERROR]   Entry ${number} is not 'Name FamilyName <email> Commit Name <commit email>': ${line}" >&2
        failed=1
      fi
    done \
    && info Verifying that every author is in .mailmap \
    && mapfile -t authors < <(git log --format='%an <%ae>' | LC_ALL=C sort -u | { grep -Ev -e '__argExclude__' || true; }) \
    && for author in "${authors[@]}"; do
      if printf '%s\n' "${mailmap[@]}" | grep -qF -- "> ${author}"; then
        info "  Ok: ${author}"
      else
        echo "[ERROR]   Not in .mailmap: ${author}" >&2
        failed=1
      fi
    done \
    && info Verifying that .mailmap is sorted \
    && if ! printf '%s\n' "${mailmap[@]}" | LC_ALL=C sort --check; then
      echo "[ERROR]   .mailmap is not sorted (LC_ALL=C sort order)" >&2
      failed=1
    fi \
    && if test "${failed}" = 1; then
      error .mailmap has problems
    fi
}

main "${@}"
