/**
 * Where a host file goes inside a store path: `bin/` (from /bin, /sbin, /usr/bin, /usr/sbin),
 * `lib/` (from /lib, /lib64, /usr/lib, /usr/lib64 with the multiarch directory flattened),
 * `libexec/`, `share/`, `include/`, `etc/`; anything else keeps its path without a leading /usr.
 * Documentation, man and info pages, translations and lintian overrides are left out.
 */
import * as path from 'node:path';

const BIN_DIRS = ['/usr/local/bin', '/usr/local/sbin', '/usr/bin', '/usr/sbin', '/bin', '/sbin'];
const LIB_DIRS = ['/usr/lib64', '/usr/lib', '/lib64', '/lib'];
const MULTIARCH = /^[a-z0-9_]+-linux-gnu[a-z0-9_]*$/;
const LEFT_OUT = new Set(['doc', 'doc-base', 'man', 'info', 'locale', 'lintian', 'bug', 'gtk-doc', 'help']);

function under(p: string, dir: string): string | undefined {
  if (p === dir) return '';
  return p.startsWith(dir + '/') ? p.slice(dir.length + 1) : undefined;
}

/**
 * The store-relative path of host path `p` (absolute, normalised), '' for a directory that is the
 * top of a layout folder, or undefined when the file is left out.
 */
export function layoutPath(p: string): string | undefined {
  const abs = path.posix.normalize(p);
  for (const d of BIN_DIRS) {
    const r = under(abs, d);
    if (r !== undefined) return r === '' ? 'bin' : `bin/${r}`;
  }
  for (const d of LIB_DIRS) {
    const r = under(abs, d);
    if (r === undefined) continue;
    const parts = r === '' ? [] : r.split('/');
    if (parts.length > 0 && MULTIARCH.test(parts[0]!)) parts.shift();
    return ['lib', ...parts].join('/');
  }
  const r = under(abs, '/usr');
  const rest = (r ?? abs.slice(1)).split('/').filter((x) => x !== '' && x !== '.');
  if (rest.length === 0) return '';
  if (rest[0] === 'share' && rest.length > 1 && LEFT_OUT.has(rest[1]!)) return undefined;
  return rest.join('/');
}

/** The relative symlink target from store-relative `from` (a link) to store-relative `to`. */
export function relativeLink(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to);
  return rel === '' ? '.' : rel;
}
