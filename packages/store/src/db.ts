/**
 * The store database (better-sqlite3, synchronous). Versioned with PRAGMA user_version; each
 * migration upgrades by one version inside one IMMEDIATE transaction. Every connection runs in
 * WAL mode with foreign keys on and a busy timeout; write transactions are BEGIN IMMEDIATE and are
 * retried on SQLITE_BUSY. All statements are prepared once per connection.
 */
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
  | 'deleteRefsOf' | 'referencesOf' | 'referrersOf' | 'insertDrvOutput' | 'drvOutputs' | 'derivers'
  | 'insertTempRoot' | 'tempRootOwners' | 'tempRootsOf' | 'deleteTempRootsOf';

export type Statements = Record<StatementName, Database.Statement>;

function sql(db: DB): Statements {
  const p = (s: string) => db.prepare(s);
  return {
    insertPath: p(`INSERT INTO valid_paths (path, nar_hash, nar_size, deriver, registration_time, ca)
                   VALUES (@path, @narHash, @narSize, @deriver, @registrationTime, @ca)
                   ON CONFLICT(path) DO UPDATE SET nar_hash = excluded.nar_hash, nar_size = excluded.nar_size,
                     deriver = coalesce(excluded.deriver, deriver), ca = coalesce(excluded.ca, ca)
                   RETURNING id`),
    pathId: p(`SELECT id FROM valid_paths WHERE path = ?`).pluck(),
    pathRow: p(`SELECT id, path, nar_hash AS narHash, nar_size AS narSize, deriver,
                       registration_time AS registrationTime, ca FROM valid_paths WHERE path = ?`),
    allPaths: p(`SELECT path FROM valid_paths ORDER BY path`).pluck(),
    allEdges: p(`SELECT a.path AS referrer, b.path AS reference FROM refs
                 JOIN valid_paths a ON a.id = refs.referrer JOIN valid_paths b ON b.id = refs.reference`),
    deletePath: p(`DELETE FROM valid_paths WHERE path = ?`),
    insertRef: p(`INSERT OR IGNORE INTO refs (referrer, reference) VALUES (?, ?)`),
    deleteRefsOf: p(`DELETE FROM refs WHERE referrer = ?`),
    referencesOf: p(`SELECT b.path FROM refs JOIN valid_paths b ON b.id = refs.reference
                     WHERE refs.referrer = (SELECT id FROM valid_paths WHERE path = ?) ORDER BY b.path`).pluck(),
    referrersOf: p(`SELECT a.path FROM refs JOIN valid_paths a ON a.id = refs.referrer
                    WHERE refs.reference = (SELECT id FROM valid_paths WHERE path = ?) ORDER BY a.path`).pluck(),
    insertDrvOutput: p(`INSERT OR REPLACE INTO derivation_outputs (drv, output_name, out_path) VALUES (?, ?, ?)`),
    drvOutputs: p(`SELECT output_name AS name, out_path AS path FROM derivation_outputs
                   WHERE drv = (SELECT id FROM valid_paths WHERE path = ?) ORDER BY output_name`),
    derivers: p(`SELECT v.path FROM derivation_outputs d JOIN valid_paths v ON v.id = d.drv
                 WHERE d.out_path = ? ORDER BY v.path`).pluck(),
    insertTempRoot: p(`INSERT OR IGNORE INTO temp_roots (owner, path) VALUES (?, ?)`),
    tempRootOwners: p(`SELECT DISTINCT owner FROM temp_roots`).pluck(),
    tempRootsOf: p(`SELECT path FROM temp_roots WHERE owner = ?`).pluck(),
    deleteTempRootsOf: p(`DELETE FROM temp_roots WHERE owner = ?`),
  };
}


export interface StoreDb {
  raw: DB;
  q: Statements;
  /** Runs `fn` in a BEGIN IMMEDIATE transaction (a savepoint when nested), retrying on SQLITE_BUSY. */
  write<T>(fn: () => T): T;
  /** Runs `fn` in a read transaction (consistent snapshot). */
  read<T>(fn: () => T): T;
  close(): void;
}

export function openDb(file: string): StoreDb {
  const db = retryBusy(() => new Database(file, { timeout: 10_000 }));
  try {
    retryBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  const q = sql(db);
  return {
    raw: db,
    q,
    write: (fn) => (db.inTransaction ? db.transaction(fn)() : retryBusy(() => db.transaction(fn).immediate())),
    read: (fn) => (db.inTransaction ? fn() : retryBusy(() => db.transaction(fn).deferred())),
    close: () => db.close(),
  };
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
