#!/usr/bin/env bash
# Fetches Nix 2.8.0's language test suite (tests/lang) from Debian's source
# package and unpacks only that folder into a cache outside git.
#
# Output contract: on success prints the absolute path of the folder that holds
# `lang/` (i.e. the Nix source tree's `tests/` folder) as the LAST line of
# stdout and exits 0. On failure prints the reason on stderr and exits non-zero.
#
# The machine's own apt state is never touched: sources, lists and archives all
# live in a private folder under the cache.
#
# Cache root: $M_TEST_CACHE, else <repo>/.cache (git-ignored).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_root=${M_TEST_CACHE:-$repo/.cache}
want_version=2.8.0
dest=$cache_root/nix-$want_version
done_marker=$dest/.complete

# Several test files may ask at once: one fetch at a time, the others then find it done.
mkdir -p "$cache_root"
exec 9>"$cache_root/.fetch-nix-tests.lock"
flock 9

if [[ -f $done_marker && -d $dest/tests/lang ]]; then
  echo "$dest/tests"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "fetch-nix-tests: apt-get not found; cannot fetch Nix's source package" >&2
  exit 2
fi

system_sources=/etc/apt/sources.list.d/debian.sources
apt_dir=$cache_root/apt
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" \
  "$apt_dir/cache/archives/partial" "$apt_dir/download"
: > "$apt_dir/sources.list"

# Derive a deb-src list from the machine's deb list.
if [[ -f $system_sources ]]; then
  sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$system_sources" \
    > "$apt_dir/sources.list.d/debian-src.sources"
elif [[ -f /etc/apt/sources.list ]]; then
  sed -nE 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list > "$apt_dir/sources.list"
else
  echo "fetch-nix-tests: no apt sources found ($system_sources missing)" >&2
  exit 2
fi

apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1"
  -o "Acquire::Languages=none"
)

echo "fetch-nix-tests: apt-get update (private lists in $apt_dir)" >&2
if ! apt-get "${apt_opts[@]}" -qq update >&2; then
  echo "fetch-nix-tests: apt-get update failed" >&2
  exit 3
fi

cd "$apt_dir/download"
echo "fetch-nix-tests: apt-get source --download-only nix" >&2
if ! apt-get "${apt_opts[@]}" -qq source --download-only nix >&2; then
  echo "fetch-nix-tests: apt-get source failed" >&2
  exit 3
fi

orig=$(ls nix_"$want_version"*.orig.tar.* 2>/dev/null | head -n1 || true)
if [[ -z $orig ]]; then
  echo "fetch-nix-tests: no nix_$want_version*.orig.tar.* downloaded (got: $(ls | tr '\n' ' '))" >&2
  exit 4
fi

tmp=$(mktemp -d "$cache_root/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Unpack only tests/lang (top folder name varies: nix-2.8.0/...).
tar -xf "$orig" -C "$tmp" --wildcards '*/tests/lang/*' '*/tests/lang.sh'
top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
if [[ ! -d $top/tests/lang ]]; then
  echo "fetch-nix-tests: $orig has no tests/lang" >&2
  exit 4
fi
rm -rf "$dest"
mkdir -p "$dest"
mv "$top/tests" "$dest/tests"
date -u +%FT%TZ > "$done_marker"
echo "$dest/tests"
