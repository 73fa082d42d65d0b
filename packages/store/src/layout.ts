/**
 * On-disk layout. The physical root holds the store entries `<hash>-<name>` (named exactly as
 * under the logical store dir, default /nix/store) and one reserved folder `.m/`:
 *   .m/db.sqlite      the database (+ -wal/-shm)
 *   .m/locks/         per-path lock files
 *   .m/tmp/           temp space; every write is staged here, then renamed into the root
 *   .m/logs/          build logs
 *   .m/gcroots/       GC roots (symlinks to store paths, or to symlinks that point into the store)
 *   .m/temproots/     temp roots, one file per store handle (temp-roots.ts)
 * The reserved name cannot clash: every store entry starts with a 32-character hash and a '-'.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const META_DIR = '.m';

export interface Layout {
  root: string;
  storeDir: string;
  meta: string;
  dbFile: string;
  locks: string;
  tmp: string;
  logs: string;
  gcroots: string;
}

export function makeLayout(root: string, storeDir: string): Layout {
  const r = path.resolve(root);
  const meta = path.join(r, META_DIR);
  return {
    root: r,
    storeDir,
    meta,
    dbFile: path.join(meta, 'db.sqlite'),
    locks: path.join(meta, 'locks'),
    tmp: path.join(meta, 'tmp'),
    logs: path.join(meta, 'logs'),
    gcroots: path.join(meta, 'gcroots'),
  };
}

export function ensureLayout(l: Layout): void {
  for (const d of [l.root, l.meta, l.locks, l.tmp, l.logs, l.gcroots]) fs.mkdirSync(d, { recursive: true });
}
