/**
 * What an evaluation depended on, recorded as it runs and checked again later: the eval cache
 * reuses an evaluation's result while every dependency is unchanged. Files are compared by content
 * hash (never by size, mtime or inode: those can be restored after an edit); directory listings by
 * their names and types; trees copied into the store by the content hash and mode of every file, the
 * target of every symlink and the listing of every directory; environment variables by value; git's
 * index by the paths it holds (git-index.ts).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { gitIndexFingerprint } from './git-index';

export type Dep =
  | { k: 'file'; p: string; h: string | null }
  | { k: 'type'; p: string; t: string | null }
  | { k: 'dir'; p: string; h: string | null }
  | { k: 'stat'; p: string; h: string | null }
  | { k: 'tree'; p: string; e: TreeEntry[] }
  | { k: 'git'; p: string; h: string | null }
  | { k: 'env'; n: string; v: string | null };

/** One entry of a copied tree: relative path and its stat fingerprint (or listing hash for dirs). */
export type TreeEntry = [rel: string, fp: string];

const sha = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex').slice(0, 32);

export function fileHash(p: string): string | null {
  try {
    return sha(fs.readFileSync(p));
  } catch {
    return null;
  }
}

export function fileTypeOf(p: string): string | null {
  try {
    const st = fs.lstatSync(p);
    return st.isFile() ? 'regular' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'unknown';
  } catch {
    return null;
  }
}

export function listingHash(p: string): string | null {
  try {
    const names = fs
      .readdirSync(p, { withFileTypes: true })
      .map((d) => `${d.name}\0${d.isDirectory() ? 'd' : d.isSymbolicLink() ? 'l' : d.isFile() ? 'f' : 'u'}`)
      .sort();
    return sha(names.join('\n'));
  } catch {
    return null;
  }
}

/** Fingerprint of one entry: listing hash of a directory, target of a symlink, mode and content hash of a file. */
export function statHash(p: string): string | null {
  try {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) return 'd:' + listingHash(p);
    if (st.isSymbolicLink()) return 'l:' + fs.readlinkSync(p);
    if (!st.isFile()) return `u:${st.mode & 0o170000}`;
    return `f:${st.mode & 0o777}:${sha(fs.readFileSync(p))}`;
  } catch {
    return null;
  }
}

/** Fingerprints of `root` and every entry below it that `keep` admits. */
export function treeEntries(root: string, keep: (abs: string, type: string) => boolean): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (abs: string, rel: string): void => {
    out.push([rel, statHash(abs) ?? '-']);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return;
    }
    if (!st.isDirectory()) return;
    for (const d of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = nodePath.join(abs, d.name);
      const type = d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : d.isFile() ? 'regular' : 'unknown';
      if (keep(child, type)) walk(child, rel === '' ? d.name : `${rel}/${d.name}`);
    }
  };
  walk(root, '');
  return out;
}

/**
 * A depHolds for checking several lists of deps at one moment (an output's and the makes.nix
 * configuration's share most of theirs): each file, listing or index is read and hashed once.
 */
export function createDepChecker(env: NodeJS.ProcessEnv): (dep: Dep) => boolean {
  const now = new Map<string, string | null>();
  return (dep) => {
    if (dep.k === 'env' || dep.k === 'tree') return depHolds(dep, env);
    const key = `${dep.k}\0${dep.p}`;
    let v = now.get(key);
    if (v === undefined) {
      v = current(dep);
      now.set(key, v);
    }
    return v === (dep.k === 'type' ? dep.t : dep.h);
  };
}

/** The fingerprint a dep of this kind and path has now. */
function current(dep: Exclude<Dep, { k: 'env' } | { k: 'tree' }>): string | null {
  switch (dep.k) {
    case 'file':
      return fileHash(dep.p);
    case 'type':
      return fileTypeOf(dep.p);
    case 'dir':
      return listingHash(dep.p);
    case 'stat':
      return statHash(dep.p);
    case 'git':
      return gitIndexFingerprint(dep.p);
  }
}

/** True when `dep` still holds. */
export function depHolds(dep: Dep, env: NodeJS.ProcessEnv): boolean {
  switch (dep.k) {
    case 'file':
      return fileHash(dep.p) === dep.h;
    case 'type':
      return fileTypeOf(dep.p) === dep.t;
    case 'dir':
      return listingHash(dep.p) === dep.h;
    case 'stat':
      return statHash(dep.p) === dep.h;
    case 'env':
      return (env[dep.n] ?? null) === dep.v;
    case 'git':
      return gitIndexFingerprint(dep.p) === dep.h;
    case 'tree':
      return dep.e.every(([rel, fp]) => (statHash(rel === '' ? dep.p : nodePath.join(dep.p, rel)) ?? '-') === fp);
  }
}

/** Collects deps without duplicates. */
export function createDepRecorder() {
  const seen = new Set<string>();
  const deps: Dep[] = [];
  return {
    add(dep: Dep): void {
      const key = dep.k === 'env' ? `env:${dep.n}` : `${dep.k}:${dep.p}`;
      if (seen.has(key)) return;
      seen.add(key);
      deps.push(dep);
    },
    list: (): Dep[] => [...deps],
  };
}
export type DepRecorder = ReturnType<typeof createDepRecorder>;
