# shellcheck shell=bash

# Prints the plaintext of an age- or OpenPGP-encrypted file.
function _decrypt_manifest {
  local manifest="${1}"
  local head
  local key_file="${SOPS_AGE_KEY_FILE:-${HOME_IMPURE:-${HOME}}/.config/sops/age/keys.txt}"

  head="$(head -c 64 "${manifest}" | tr -d '\0')"
  if [[ ${head} == 'age-encryption.org/v1'* || ${head} == '-----BEGIN AGE ENCRYPTED FILE-----'* ]]; then
    if test -n "${SOPS_AGE_KEY-}"; then
      age --decrypt --identity <(printf '%s\n' "${SOPS_AGE_KEY}") "${manifest}"
    elif test -e "${key_file}"; then
      age --decrypt --identity "${key_file}" "${manifest}"
    else
      critical "No age identity to decrypt ${manifest}: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE"
    fi
  elif grep -q 'ENC\[AES256_GCM,' "${manifest}"; then
    critical "${manifest} is encrypted by sops, which m cannot run (Debian has no sops package);" \
      "encrypt the whole document with age or gpg instead"
  else
    gpg --quiet --batch --decrypt "${manifest}"
  fi
}

function main {
  source __argVars__/template local vars
  local decrypted value

  info Making secrets for env from sops for __argName__: \
    && decrypted="$(_decrypt_manifest '__argManifest__' | gojq --yaml-input --compact-output .)" \
    && for var in "${vars[@]}"; do
      info - "${var}" \
        && if ! value="$(gojq --exit-status --raw-output ".${var}" <<< "${decrypted}")"; then
          critical "${var} is not in __argManifest__"
        fi \
        && export "${var//./__}=${value}" \
        || return 1
    done
}

main "${@}"
