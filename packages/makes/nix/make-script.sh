# shellcheck shell=bash
# Writes $out/bin/NAME (and its aliases): the setup prologue followed by the entrypoint.

function main {
  local location
  source "$envAliases/template" local aliases
  mkdir -p "$out/bin"
  for location in "${aliases[@]}"; do
    {
      cat "$envEntrypointSetup/template"
      echo
      cat "$envEntrypoint/template"
    } > "$out/bin/$location"
    chmod +x "$out/bin/$location"
  done
}

main "$@"
