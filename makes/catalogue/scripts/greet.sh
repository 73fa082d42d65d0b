#!/usr/bin/env bash
# Prints a greeting for each argument (linted by /lintBash, formatted by /formatBash).
for name in "$@"; do
  printf 'hello %s\n' "${name}"
done
