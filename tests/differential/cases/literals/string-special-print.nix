[ "" "a\"b" "back\\slash" "dollar $ sign" "\${x}" "tab\there" "nl\nx" "cr\rx" "uni ☃ é" ]
