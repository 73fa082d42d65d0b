/**
 * GC temp roots across processes, as Nix keeps them: every store handle (and the makes runner's
 * main thread) appends the store paths it uses to its own file `.m/temproots/<pid>-<start>-<tag>`,
 * one path per line, and removes the file when done. gc reads every file; files whose process is
 * dead are ignored and removed.
 *
 * Race-freedom: gc holds the `gc` lock from reading these files until it has deleted what it
 * found dead. An adder appends first, then waits while a live process (other than itself) holds
 * that lock, and only then checks validity: either gc read the new root, or gc had already
 * finished when the check ran (and the caller sees the path invalid and rebuilds or re-adds it).
 *
 * This module loads no database driver, so the CLI's main thread can use it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ProcessId, formatId, isAlive, parseId, selfId, sleepSync } from './process-id';

export const TEMP_ROOTS_DIR = 'temproots';

export interface TempRootsFile {
  /** The file's path (created on the first add). */
  readonly file: string;
  /** Appends `paths` and waits until no gc that could have missed them is running. */
  add(paths: Iterable<string>): void;
  /** Deletes the file (the roots end). */
  remove(): void;
  /** Closes the file's descriptor, leaving the file (a later add reopens it). */
  close(): void;
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A short random tag (no node:crypto: this module is loaded by the CLI's light main thread). */
function nonce(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** True while a live process other than this one holds the store's gc lock. */
export function gcRunning(locksDir: string): boolean {
  const lock = path.join(locksDir, 'gc.lock');
  // The common case (no gc) costs one access(2) and no exception.
  if (!fs.existsSync(lock)) return false;
  const holder = readOr(lock);
  if (holder === undefined) return false;
  const id = parseId(holder);
  return id !== undefined && id.pid !== process.pid && isAlive(id);
}

/** Blocks while another live process runs gc on the store with lock directory `locksDir`. */
export function waitForGc(locksDir: string): void {
  for (let i = 0; gcRunning(locksDir); i++) sleepSync(Math.min(2 + i * 2, 50));
}

/** A new temp-roots file of this process under the store's `.m` directory `metaDir`. */
export function tempRootsFile(metaDir: string, me: ProcessId = selfId(), tag = nonce()): TempRootsFile {
  return tempRootsAt(metaDir, `${me.pid}-${me.start}-${tag}`);
}

/** The temp-roots file `name` (which must start with its owner's "<pid>-<start>-"). */
export function tempRootsAt(metaDir: string, name: string): TempRootsFile {
  const dir = path.join(metaDir, TEMP_ROOTS_DIR);
  const file = path.join(dir, name);
  const locks = path.join(metaDir, 'locks');
  /** Opened on the first add and kept open: each later add is one write(2). */
  let fd: number | undefined;
  const close = (): void => {
    if (fd === undefined) return;
    const f = fd;
    fd = undefined;
    fs.closeSync(f);
  };
  return {
    file,
    add(paths) {
      const lines = [...paths];
      if (lines.length === 0) return;
      if (fd === undefined) {
        fs.mkdirSync(dir, { recursive: true });
        fd = fs.openSync(file, 'a');
      }
      // One write(2) with O_APPEND: a concurrent reader sees whole lines or a partial last line.
      fs.writeSync(fd, lines.join('\n') + '\n');
      waitForGc(locks);
    },
    remove() {
      close();
      fs.rmSync(file, { force: true });
    },
    close,
  };
}

/** Owner of a temp-roots file name, or undefined when the name is not one. */
function ownerOf(name: string): ProcessId | undefined {
  const m = /^(\d+)-(\d*)-/.exec(name);
  return m ? parseId(`${m[1]} ${m[2]}`) : undefined;
}

/**
 * The temp roots of live processes (complete lines only). Files of dead processes are removed
 * unless `keepStale`.
 */
export function readTempRoots(metaDir: string, keepStale = false): Set<string> {
  const dir = path.join(metaDir, TEMP_ROOTS_DIR);
  const roots = new Set<string>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return roots;
  }
  for (const name of names) {
    const id = ownerOf(name);
    const file = path.join(dir, name);
    if (!id || !isAlive(id)) {
      if (!keepStale) fs.rmSync(file, { force: true });
      continue;
    }
    const text = readOr(file) ?? '';
    const end = text.lastIndexOf('\n');
    for (const line of text.slice(0, end + 1).split('\n')) if (line !== '') roots.add(line);
  }
  return roots;
}

/** Removes a tree, making directories writable first when needed (read-only build trees). */
export function forceRemove(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
    return;
  } catch {
    /* read-only directories inside: fix permissions below */
  }
  const fix = (q: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(q);
    } catch {
      return;
    }
    if (!st.isDirectory()) return;
    fs.chmodSync(q, 0o755);
    for (const e of fs.readdirSync(q)) fix(path.join(q, e));
  };
  fix(p);
  fs.rmSync(p, { recursive: true, force: true });
}

/**
 * After this process's store handles ended abruptly (a worker thread terminated on a signal):
 * removes what they left under the store's `.m` directory — its temp-roots files, the lock files
 * naming it, its lock temp files and its temp directories. Only call when no store handle of this
 * process is still in use.
 */
export function removeOwnLeftovers(metaDir: string): void {
  const me = selfId();
  const prefix = `${me.pid}-${me.start}-`;
  const each = (dir: string, fn: (name: string, p: string) => void): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) fn(n, path.join(dir, n));
  };
  each(path.join(metaDir, TEMP_ROOTS_DIR), (n, p) => {
    if (n.startsWith(prefix)) fs.rmSync(p, { force: true });
  });
  const mine = formatId(me) + '\n';
  each(path.join(metaDir, 'locks'), (n, p) => {
    if (n.startsWith(`.tmp-${me.pid}-`)) fs.rmSync(p, { force: true });
    else if (n.endsWith('.lock') && readOr(p) === mine) fs.rmSync(p, { force: true });
  });
  each(path.join(metaDir, 'tmp'), (n, p) => {
    if (n.startsWith(prefix)) forceRemove(p);
  });
}
