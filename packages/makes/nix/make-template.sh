# shellcheck shell=bash
# Substitutes the placeholders of makeTemplate in $__envTemplate and writes $out/template.

function substitute {
  local name="$1" value="$2"
  if [[ "$text" != *"$name"* ]]; then
    error "Argument is not being used: $name, please remove it"
  fi
  text="${text//"$name"/"$value"}"
}

function main {
  local name
  text="$__envTemplate"
  for name in $__envArgumentNames; do
    substitute "$name" "${!name}"
  done
  for name in $__envArgumentBase64Names; do
    substitute "$name" "$(printf '%s' "${!name}" | base64 --wrap=0)"
  done
  if [[ "$text" =~ $__envArgumentsRegex ]]; then
    error "Some arguments are not being used: ${BASH_REMATCH[0]} is not replaced"
  fi
  mkdir "$out"
  printf '%s\n' "$text" > "$out/template"
}

main "$@"
