# shellcheck shell=bash

# normalise FILE: FILE's text with LF line ends, no trailing whitespace, tabs at the start of lines
# as two spaces each, at most one blank line in a row, no blank lines at the end, a final newline.
function normalise {
  sed -e 's/\r$//' -e 's/[[:space:]]*$//' -e ':tab' -e 's/^\( *\)\t/\1  /' -e 't tab' "${1}" \
    | cat -s \
    | sed -e ':end' -e '/^\n*$/{$d;N;b end' -e '}'
}

function main {
  local failed=0 file target candidate before after
  source __argTargets__/template local targets

  info Formatting Nix code \
    && for target in "${targets[@]}"; do
      while IFS= read -r -d '' file; do
        candidate="${file}.m-format-nix"
        if ! before="$(nix-instantiate --store dummy:// --parse "${file}")"; then
          failed=1
          continue
        fi
        normalise "${file}" > "${candidate}"
        if cmp -s "${file}" "${candidate}"; then
          rm -f "${candidate}"
          continue
        fi
        after="$(nix-instantiate --store dummy:// --parse "${candidate}" 2> /dev/null)" || after=
        if test "${before}" != "${after}"; then
          rm -f "${candidate}"
          warn "Left ${file} as it is: its strings hold whitespace that formatting would change"
          continue
        fi
        if running_in_ci_cd_provider; then
          diff -u "${file}" "${candidate}" || true
          rm -f "${candidate}"
          info "${file} is not formatted"
          failed=1
        else
          cat "${candidate}" > "${file}"
          rm -f "${candidate}"
          info Formatted "${file}"
        fi
      done < <(
        find "${target}" \
          \( -type d \( -name .git -o \( -name store -exec test -d '{}/.m' \; \) \) -prune \) \
          -o -type f -name '*.nix' -print0 | sort -z
      )
    done \
    && if test "${failed}" = 1; then
      error Some Nix files are not formatted or do not parse
    fi
}

main "${@}"
