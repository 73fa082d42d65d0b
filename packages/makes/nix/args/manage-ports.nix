# managePorts: a template that, sourced, defines kill_port PORT…, done_port HOST PORT and
# wait_for_tcp SECONDS HOST:PORT, using Debian's lsof and netcat-openbsd.
{ __m__, __nixpkgs__, makeTemplate, ... }:
makeTemplate {
  name = "manage-ports";
  replace.__argShellCommands__ = __m__.shellCommands;
  searchPaths.bin = [ __nixpkgs__.lsof __nixpkgs__.netcat-openbsd ];
  template = ./manage-ports.sh;
}
