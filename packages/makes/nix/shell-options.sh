# shellcheck shell=bash
set -o errexit
set -o nounset
set -o pipefail
set -o functrace
set -o errtrace
set -o posix
shopt -s dotglob
shopt -u patsub_replacement 2>/dev/null || true
