/** File-tree operations of the store: staging copies, canonicalisation, removal. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import { type PathFilter, fsEntryType, fsp, readLinkTarget, readNames, unsupportedFileType } from './fs-nar-source';

/** The canonical mtime of everything in the store (seconds since the epoch). */
export const CANONICAL_MTIME = 1;

function ioError(e: unknown, what: string): MError {
  const err = e as NodeJS.ErrnoException;
  return new MError('IO_ERROR', `${what}: ${err.message}`, { cause: e });
}

/**
 * Copies the tree at `src` (not following symlinks) to the new path `dst`, consulting `filter`
 * for every entry below the root. Devices, fifos and sockets are refused. The copies are new
 * inodes, so no extended attributes, ACLs, owners or setuid/setgid bits come along.
 */
export function copyTree(src: string, dst: string, filter?: PathFilter): void {
  const st = fs.lstatSync(fsp(src));
  if (st.isFile()) {
    fs.copyFileSync(fsp(src), fsp(dst)); // keeps the mode bits; canonicalise() normalises them
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fsp(readLinkTarget(src)), fsp(dst));
  } else if (st.isDirectory()) {
    fs.mkdirSync(fsp(dst), 0o755);
    for (const name of readNames(src)) {
      const child = path.join(src, name);
      if (filter && !filter(child, fsEntryType(fs.lstatSync(fsp(child))))) continue;
      copyTree(child, path.join(dst, name), filter);
    }
  } else {
    throw unsupportedFileType(src);
  }
}

/** Copies the contents of regular file `src` (symlinks followed) to a new non-executable file. */
export function copyFlat(src: string, dst: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(src);
  } catch (e) {
    throw ioError(e, `getting status of '${src}'`);
  }
  if (!st.isFile()) throw new MError('STORE_ERROR', `file '${src}' is not a regular file; cannot add it flat`);
  fs.copyFileSync(src, dst);
  fs.chmodSync(dst, 0o644);
}

/** The store's owner: this process's (a build user's outputs are handed back to it, as Nix does). */
function storeOwner(): { uid: number; gid: number } {
  return { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
}

/**
 * Nix's canonical metadata, applied bottom-up: owner and group those of the store (this process;
 * only changed when running as root, e.g. outputs of a build user), regular files 0444 (0555 if
 * the owner could execute), directories 0555, mtime 1 on everything (symlinks included). Any
 * setuid/setgid/sticky and group/world-write bit is cleared by the explicit modes — after the
 * chown, which would otherwise keep them. Special files are refused.
 */
export function canonicalise(p: string): void {
  const fp = fsp(p);
  const st = fs.lstatSync(fp);
  const owner = storeOwner();
  if (owner.uid === 0 && (st.uid !== owner.uid || st.gid !== owner.gid) && (st.isDirectory() || st.isFile() || st.isSymbolicLink()))
    fs.lchownSync(fp, owner.uid, owner.gid);
  if (st.isDirectory()) {
    for (const name of readNames(p)) canonicalise(path.join(p, name));
    if ((st.mode & 0o7777) !== 0o555) fs.chmodSync(fp, 0o555);
  } else if (st.isFile()) {
    const mode = st.mode & 0o100 ? 0o555 : 0o444;
    if ((st.mode & 0o7777) !== mode) fs.chmodSync(fp, mode);
  } else if (!st.isSymbolicLink()) {
    throw unsupportedFileType(p);
  }
  fs.lutimesSync(fp, st.atime, CANONICAL_MTIME);
}

/** Paths under `p` whose metadata is not canonical (empty when all is well). */
export function nonCanonicalEntries(p: string): string[] {
  const bad: string[] = [];
  const owner = storeOwner();
  const walk = (q: string) => {
    const st = fs.lstatSync(fsp(q));
    const mtime = Math.floor(st.mtimeMs / 1000);
    let ok = mtime === CANONICAL_MTIME && (owner.uid !== 0 || (st.uid === owner.uid && st.gid === owner.gid));
    if (st.isDirectory()) {
      ok &&= (st.mode & 0o7777) === 0o555;
      for (const name of readNames(q)) walk(path.join(q, name));
    } else if (st.isFile()) {
      ok &&= (st.mode & 0o7777) === 0o444 || (st.mode & 0o7777) === 0o555;
    } else if (!st.isSymbolicLink()) ok = false;
    if (!ok) bad.push(q);
  };
  walk(p);
  return bad;
}

/** Makes every directory under `p` writable by the owner (so the tree can be deleted or moved). */
function makeWritable(p: string): void {
  const st = fs.lstatSync(fsp(p));
  if (!st.isDirectory()) return;
  fs.chmodSync(fsp(p), 0o755);
  for (const name of readNames(p)) makeWritable(path.join(p, name));
}

/** Sum of the sizes of the files under `p` (0 if missing). */
export function treeSize(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(fsp(p));
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of readNames(p)) n += treeSize(path.join(p, name));
  return n;
}

/**
 * Deletes the tree at `p` if it exists. It is first renamed to `trash` (a fresh name on the same
 * file system), so it disappears from its place atomically, then removed.
 */
export function removeTree(p: string, trash: string): void {
  try {
    // Moving a directory to another parent rewrites its '..' entry: it must be writable.
    if (fs.lstatSync(p).isDirectory()) fs.chmodSync(p, 0o755);
    fs.renameSync(p, trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  makeWritable(trash);
  fs.rmSync(trash, { recursive: true, force: true });
}

/**
 * Renames the canonical staged tree `staged` to `dst` (replacing nothing: `dst` must not exist),
 * keeping the top directory writable only during the move, and re-applying its canonical
 * mode and mtime afterwards.
 */
export function moveIntoPlace(staged: string, dst: string): void {
  const isDir = fs.lstatSync(staged).isDirectory();
  if (isDir) fs.chmodSync(staged, 0o755);
  fs.renameSync(staged, dst);
  if (isDir) fs.chmodSync(dst, 0o555);
  const st = fs.lstatSync(dst);
  fs.lutimesSync(dst, st.atime, CANONICAL_MTIME);
}
