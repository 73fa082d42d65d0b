# `m . /fetch-example`: makes' fetchers, offline-safe. The sources are files of this project read
# through file:// URLs and pinned by sha256, exactly as an https:// URL would be: fetchUrl gives the
# file (nixpkgs' fetchurl store path), fetchArchive the archive's single top-level directory
# (nixpkgs' fetchzip store path), whose bin/ goes on PATH. A wrong sha256 fails with the right
# one, at the url below; once fetched, a pinned source is never downloaded again.
{ fetchArchive, fetchUrl, makeScript, projectSrc, ... }:
let
  here = "file://${projectSrc}/makes/fetch-example";
  notes = fetchUrl {
    url = "${here}/notes.txt";
    sha256 = "0rl3gvy772q30id3qryiz6dl385vkffbn4l8w4pm818203d4dlzh";
  };
  greet = fetchArchive {
    url = "${here}/greet-1.0.tar.gz";
    sha256 = "0cfmqnc07lq2vxgdmkhq3blbb45fyfcrpg4h97i8r44mm1x96xbs";
  };
in
makeScript {
  name = "fetch-example";
  searchPaths.bin = [ greet ];
  entrypoint = ''
    info "fetchUrl: ${notes}"
    info "fetchArchive: ${greet}"
    cat "${notes}"
    greet
  '';
}
