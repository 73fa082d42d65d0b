/**
 * What is checked before the database is opened, so that SQLite never silently creates an empty
 * database for a store that has contents (an empty database would make every path garbage) and
 * never half-opens a file it cannot write (leaving `-wal`/`-shm` files behind with the file's mode):
 *   - missing, while the store has entries            → error naming the file and `--repair`
 *   - not an SQLite file, or shorter than its header says (truncated) → the same
 *   - not writable (read-only file system, immutable file, permissions) → error, nothing created
 *   - the marker of an unfinished rebuild             → error until `m store verify --repair` ran
 * `m store verify --repair` instead sets a missing or damaged file aside and starts a new database
 * that its rebuild then fills from the store's contents.
 */
import * as fs from 'node:fs';
import { MError } from '@m/core';
import { REPAIR_HINT } from './db';
import { type Layout, META_DIR } from './layout';
import { sleepSync } from './process-id';

const MAGIC = 'SQLite format 3\0';

export type DbState = 'ok' | 'new' | 'missing' | 'damaged';

/**
 * True when the store root holds a store entry (`<32-char hash>-<name>`). Dotfiles such as a
 * repository's `.gitkeep` and the `.m` folder are not store contents.
 */
export function storeHasContent(l: Layout): boolean {
  try {
    return fs.readdirSync(l.root).some((n) => n !== META_DIR && !n.startsWith('.'));
  } catch {
    return false;
  }
}

/**
 * Why the file is not a usable SQLite database (header checks only), or undefined. While a `-wal`
 * file exists another connection may be checkpointing, which writes the header's new page count
 * before the pages themselves, so the file's length is only compared with the header when there is
 * none (SQLite's own checks on opening still apply).
 */
function headerProblem(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return 'the file is empty';
    const h = Buffer.alloc(100);
    const n = fs.readSync(fd, h, 0, 100, 0);
    if (n < 100 || h.subarray(0, 16).toString('latin1') !== MAGIC) return 'not an SQLite database';
    const raw = h.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    const pages = h.readUInt32BE(28);
    const sizeValid = pages > 0 && h.readUInt32BE(24) === h.readUInt32BE(92);
    if (sizeValid && size < pages * pageSize && !exists(`${file}-wal`)) return `truncated: ${size} bytes, its header says ${pages * pageSize}`;
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Throws when the database cannot be opened for writing; creates nothing. */
function checkWritable(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'r+'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MError('STORE_ERROR', `cannot write the store database '${file}': ${code === 'EROFS' ? 'read-only file system' : code === 'EPERM' || code === 'EACCES' ? 'permission denied' : (e as Error).message}`, {
      hint: 'm needs write access to the store database and its directory',
      cause: e,
    });
  }
}

export function rebuildMarker(l: Layout): string {
  return `${l.dbFile}.rebuilding`;
}

/**
 * The database's state before opening; throws for damage or missing write access. A damaged look
 * is checked again a few times: another process creating or checkpointing the file can show it
 * mid-write for a moment.
 */
export function checkDb(l: Layout): DbState {
  for (let attempt = 1; ; attempt++) {
    const state = checkDbOnce(l);
    if (state !== 'damaged' || attempt === 4) return state;
    sleepSync(50 * attempt);
  }
}

function checkDbOnce(l: Layout): DbState {
  const file = l.dbFile;
  if (!exists(file)) return storeHasContent(l) ? 'missing' : 'new';
  checkWritable(file);
  const problem = headerProblem(file);
  if (problem === 'the file is empty' && !storeHasContent(l)) return 'new';
  return problem === undefined ? 'ok' : 'damaged';
}

/** The error for a state that needs `m store verify --repair`. */
export function dbStateError(l: Layout, state: 'missing' | 'damaged' | 'incomplete'): MError {
  const file = l.dbFile;
  if (state === 'missing')
    return new MError('STORE_ERROR', `the store database '${file}' is missing, but the store '${l.root}' is not empty`, { hint: REPAIR_HINT });
  if (state === 'damaged') {
    let why = 'damaged';
    try {
      why = headerProblem(file) ?? why;
    } catch {
      /* unreadable: keep the generic word */
    }
    return new MError('STORE_ERROR', `the store database '${file}' is corrupt (${why})`, { hint: REPAIR_HINT });
  }
  return new MError('STORE_ERROR', `the store database '${file}' is incomplete (a rebuild did not finish)`, { hint: REPAIR_HINT });
}

/** Moves a damaged database and its WAL files aside (kept for inspection); returns the new name. */
export function setAside(l: Layout): string | undefined {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dest = `${l.dbFile}.broken-${stamp}`;
  let moved: string | undefined;
  for (const suffix of ['', '-wal', '-shm']) {
    if (!exists(l.dbFile + suffix)) continue;
    fs.renameSync(l.dbFile + suffix, dest + suffix);
    if (suffix === '') moved = dest;
  }
  return moved;
}
