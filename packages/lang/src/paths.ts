/** Path canonicalisation as Nix's canonPath/absPath do it, without touching the file system. */

/** Removes `.`, `..`, repeated and trailing slashes from an absolute path. */
export function canonPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** Resolves `path` against the directory `base` (when relative) and canonicalises it. */
export function absPath(path: string, base: string): string {
  return canonPath(path.startsWith('/') ? path : base + '/' + path);
}
