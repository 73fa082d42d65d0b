/**
 * The store database (better-sqlite3, synchronous). Versioned with PRAGMA user_version; each
 * migration upgrades by one version inside one IMMEDIATE transaction. Every connection runs in
 * WAL mode with foreign keys on and a busy timeout; write transactions are BEGIN IMMEDIATE and are
 * retried on SQLITE_BUSY. All statements are prepared once per connection.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { MError } from '@m/core';
import { sleepSync } from './process-id';

type DB = Database.Database;

/** migrations[i] upgrades schema version i to i + 1. */
const MIGRATIONS: ((db: DB) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE valid_paths (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        path              TEXT NOT NULL UNIQUE,
        nar_hash          TEXT NOT NULL,
        nar_size          INTEGER NOT NULL,
        deriver           TEXT,
        registration_time INTEGER NOT NULL,
        ca                TEXT
      );
      CREATE TABLE refs (
        referrer  INTEGER NOT NULL REFERENCES valid_paths(id) ON DELETE CASCADE,
        reference INTEGER NOT NULL REFERENCES valid_paths(id) DEFERRABLE INITIALLY DEFERRED,
        PRIMARY KEY (referrer, reference)
      ) WITHOUT ROWID;
      CREATE INDEX refs_by_reference ON refs(reference);
      CREATE TABLE derivation_outputs (
        drv         INTEGER NOT NULL REFERENCES valid_paths(id) ON DELETE CASCADE,
        output_name TEXT NOT NULL,
        out_path    TEXT NOT NULL,
        PRIMARY KEY (drv, output_name)
      ) WITHOUT ROWID;
      CREATE INDEX derivation_outputs_by_out ON derivation_outputs(out_path);
      CREATE TABLE temp_roots (
        owner TEXT NOT NULL,
        path  TEXT NOT NULL,
        PRIMARY KEY (owner, path)
      ) WITHOUT ROWID;
    `),
  // Temp roots moved to per-process files (temp-roots.ts).
  (db) => db.exec(`DROP TABLE temp_roots;`),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface PathRow {
  id: number;
  path: string;
  narHash: string;
  narSize: number;
  deriver: string | null;
  registrationTime: number;
  ca: string | null;
}

export interface NewPathRow {
  path: string;
  narHash: string;
  narSize: number;
  deriver?: string | null;
  registrationTime: number;
  ca?: string | null;
}

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

function isBusy(e: unknown): boolean {
  return typeof e === 'object' && e !== null && BUSY_CODES.has((e as { code?: string }).code ?? '');
}

/** Runs `fn`, retrying with backoff while SQLite reports the database busy. */
function retryBusy<T>(fn: () => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e) || attempt >= 200) throw e;
      sleepSync(Math.min(5 + attempt * 5, 100) + Math.random() * 10);
    }
  }
}

type StatementName =
  | 'insertPath' | 'pathId' | 'pathRow' | 'allPaths' | 'allEdges' | 'deletePath' | 'insertRef'
  | 'deleteRefsOf' | 'referencesOf' | 'referrersOf' | 'insertDrvOutput' | 'drvOutputs' | 'derivers';

/** A prepared statement whose SQLite failures surface as MErrors naming the database file. */
export interface Stmt {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): Database.RunResult;
}

export type Statements = Record<StatementName, Stmt>;

function sql(db: DB, file: string): Statements {
  const p = (s: string, pluck = false): Stmt => {
    const st = pluck ? db.prepare(s).pluck() : db.prepare(s);
    return {
      get: (...a) => guard(file, () => st.get(...a)),
      all: (...a) => guard(file, () => st.all(...a)),
      run: (...a) => guard(file, () => st.run(...a)),
    };
  };
  return {
    insertPath: p(`INSERT INTO valid_paths (path, nar_hash, nar_size, deriver, registration_time, ca)
                   VALUES (@path, @narHash, @narSize, @deriver, @registrationTime, @ca)
                   ON CONFLICT(path) DO UPDATE SET nar_hash = excluded.nar_hash, nar_size = excluded.nar_size,
                     deriver = coalesce(excluded.deriver, deriver), ca = coalesce(excluded.ca, ca)
                   RETURNING id`),
    pathId: p(`SELECT id FROM valid_paths WHERE path = ?`, true),
    pathRow: p(`SELECT id, path, nar_hash AS narHash, nar_size AS narSize, deriver,
                       registration_time AS registrationTime, ca FROM valid_paths WHERE path = ?`),
    allPaths: p(`SELECT path FROM valid_paths ORDER BY path`, true),
    allEdges: p(`SELECT a.path AS referrer, b.path AS reference FROM refs
                 JOIN valid_paths a ON a.id = refs.referrer JOIN valid_paths b ON b.id = refs.reference`),
    deletePath: p(`DELETE FROM valid_paths WHERE path = ?`),
    insertRef: p(`INSERT OR IGNORE INTO refs (referrer, reference) VALUES (?, ?)`),
    deleteRefsOf: p(`DELETE FROM refs WHERE referrer = ?`),
    referencesOf: p(`SELECT b.path FROM refs JOIN valid_paths b ON b.id = refs.reference
                     WHERE refs.referrer = (SELECT id FROM valid_paths WHERE path = ?) ORDER BY b.path`, true),
    referrersOf: p(`SELECT a.path FROM refs JOIN valid_paths a ON a.id = refs.referrer
                    WHERE refs.reference = (SELECT id FROM valid_paths WHERE path = ?) ORDER BY a.path`, true),
    insertDrvOutput: p(`INSERT OR REPLACE INTO derivation_outputs (drv, output_name, out_path) VALUES (?, ?, ?)`),
    drvOutputs: p(`SELECT output_name AS name, out_path AS path FROM derivation_outputs
                   WHERE drv = (SELECT id FROM valid_paths WHERE path = ?) ORDER BY output_name`),
    derivers: p(`SELECT v.path FROM derivation_outputs d JOIN valid_paths v ON v.id = d.drv
                 WHERE d.out_path = ? ORDER BY v.path`, true),
  };
}


export interface StoreDb {
  raw: DB;
  q: Statements;
  /** Runs `fn` in a BEGIN IMMEDIATE transaction (a savepoint when nested), retrying on SQLITE_BUSY. */
  write<T>(fn: () => T): T;
  /** Runs `fn` in a read transaction (consistent snapshot). */
  read<T>(fn: () => T): T;
  /** SQLite's `PRAGMA quick_check` over the whole file: true when it finds nothing wrong. */
  quickCheck(): boolean;
  close(): void;
}

/** Opens (creating when absent) the database `file`; see db-check.ts for the checks made first. */
export function openDb(file: string): StoreDb {
  const db = guard(file, () => retryBusy(() => new Database(file, { timeout: 10_000 })));
  let q: Statements;
  try {
    guard(file, () => {
      retryBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
      migrate(db);
      // Reads the schema and a page of each table: a damaged file fails here, not mid-command.
      db.prepare('SELECT max(id) FROM valid_paths').get();
    });
    q = sql(db, file);
  } catch (e) {
    db.close();
    throw e;
  }
  return {
    raw: db,
    q,
    write: (fn) =>
      db.inTransaction ? db.transaction(fn)() : guard(file, () => retryBusy(() => db.transaction(fn).immediate())),
    read: (fn) => (db.inTransaction ? fn() : guard(file, () => retryBusy(() => db.transaction(fn).deferred()))),
    quickCheck: () => guard(file, () => db.pragma('quick_check', { simple: true })) === 'ok',
    close: () => db.close(),
  };
}

/**
 * Creates a fully initialised database at `file` unless one already exists. It is built under a
 * private name and hard-linked into place, so a process opening the store at the same moment sees
 * either no file or a complete database, never a half-created one (which db-check would call
 * damaged once the store has contents).
 */
export function createDb(file: string): void {
  const tmp = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    openDb(tmp).close();
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  } finally {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(tmp + suffix, { force: true });
  }
}

export const REPAIR_HINT = "run 'm store verify --repair' to rebuild it from the store's contents";

/** True for the error `guard` makes of a damaged database file. */
export function isCorruption(e: unknown): boolean {
  const code = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return e instanceof MError && typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** Turns SQLite's failures into MErrors that name the file and, for damage, the recovery command. */
export function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw e;
    const msg = (e as Error).message;
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
      throw new MError('STORE_ERROR', `the store database '${file}' is corrupt: ${msg}`, { hint: REPAIR_HINT, cause: e });
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM')
      throw new MError('STORE_ERROR', `cannot write the store database '${file}': ${msg}`, {
        hint: 'm needs write access to the store database and its directory',
        cause: e,
      });
    if (code === 'SQLITE_FULL') throw new MError('IO_ERROR', `cannot write the store database '${file}': no space left on device`, { cause: e });
    if (code.startsWith('SQLITE_IOERR')) throw new MError('IO_ERROR', `I/O error on the store database '${file}': ${msg}`, { cause: e });
    throw e;
  }
}

function migrate(db: DB): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  retryBusy(() =>
    db
      .transaction(() => {
        const v = current();
        if (v > SCHEMA_VERSION)
          throw new MError(
            'STORE_ERROR',
            `store database schema version ${v} is newer than the supported version ${SCHEMA_VERSION}`,
          );
        for (let i = v; i < SCHEMA_VERSION; i++) MIGRATIONS[i]!(db);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate(),
  );
}
