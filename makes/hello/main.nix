# `m . /hello [NAME]`: a script. Arguments after the output name go to the script.
{ makeScript, ... }:
makeScript {
  name = "hello";
  entrypoint = ''
    info "Running from ''${0%/*}"
    echo "Hello, ''${1:-world}!"
  '';
}
