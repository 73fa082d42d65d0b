# shellcheck shell=bash
# Sourced by the search paths of ./main.nix with the arguments listed there.
export M_EXAMPLE_ARGS="$*"
