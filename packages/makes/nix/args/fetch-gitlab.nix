# fetchGitlab { owner, repo, rev, sha256 ? fakeSha256 }: revision rev of a GitLab repository, as
# fetchArchive (builtins.fetchTarball) of its .tar.gz (makes had it until its 2024 release, #1343; kept for older
# makes.nix files). The server is $M_GITLAB_URL when set (default https://gitlab.com), as for
# `m gitlab:…`.
{ fakeSha256, ... }:
args@{ owner, repo, rev, sha256 ? fakeSha256 }:
let
  set = builtins.getEnv "M_GITLAB_URL";
  base = if set == "" then "https://gitlab.com" else set;
in
# The caller's sha256 (when given) keeps its position: a failed fetch points at it.
builtins.fetchTarball ({ inherit sha256; } // builtins.intersectAttrs { sha256 = null; } args // { url = "${base}/${owner}/${repo}/-/archive/${rev}.tar.gz"; })
