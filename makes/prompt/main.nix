# `m . /prompt`: makes' script prologue. Asks for a name (Enter keeps the default) and for
# CONFIRM before "releasing"; with CI set it goes on unasked. It counts its runs in $STATE
# (persistState), and checks that SSL_CERT_FILE is a CA bundle. Its output alone is on stdout:
#   printf 'me\nCONFIRM\n' | m . /prompt > notes.txt
{ makeScript, ... }:
makeScript {
  name = "prompt";
  persistState = true;
  entrypoint = ''
    who="$(prompt_user_for_input "''${USER:-me}")"
    prompt_user_for_confirmation
    echo x >> "$STATE/runs"
    echo "released by $who (run $(wc -l < "$STATE/runs"))"
    info "CA bundle: $SSL_CERT_FILE ($(wc -c < "$SSL_CERT_FILE") bytes)"
  '';
}
