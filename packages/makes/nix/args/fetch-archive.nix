# fetchArchive { url, sha256 ? fakeSha256, stripRoot ? true }: a .tar(.gz/.xz/.bz2/.zst) or .zip
# archive unpacked, its single top-level directory as the result (makes' src/args/fetch-archive,
# nixpkgs' fetchzip: store path name "source", sha256 of the unpacked tree's NAR). m fetches it at
# evaluation time with builtins.fetchTarball, which gives the same store path. stripRoot = false:
# the whole unpacked archive is the result (fetchzip's too), by m's own fetchArchiveKeepRoot.
{ __m__, fakeSha256, ... }:
# The caller's url and sha256 are passed on with their positions: a failed fetch points at them.
args@{ url, sha256 ? fakeSha256, stripRoot ? true }:
(if stripRoot then builtins.fetchTarball else __m__.fetchArchiveKeepRoot)
  ({ inherit sha256; } // builtins.removeAttrs args [ "stripRoot" ])
