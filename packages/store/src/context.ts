/** The internal state shared by the store's operations (one per `openStore` handle). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MError } from '@m/core';
import { type Hash, parseStorePath, printHash } from '@m/nix-compat';
import type { StoreDb } from './db';
import type { Layout } from './layout';
import type { Locks, Release } from './lock';
import { type ProcessId, isAlive, parseId } from './process-id';
import type { TempRootsFile } from './temp-roots';

export interface Ctx {
  layout: Layout;
  storeDir: string;
  db: StoreDb;
  locks: Locks;
  me: ProcessId;
  /** The database was just recreated: validity must be rebuilt (verify --repair) before gc. */
  rebuildPending: boolean;
  /** This handle's temp-roots file (see temp-roots.ts). */
  tempRoots: TempRootsFile;
  /** Paths this handle has already temp-rooted. */
  tempRooted: Set<string>;
  /** Store paths whose lock this handle holds (via lockPaths). */
  heldPaths: Map<string, Release>;
  onWrite?: (storePath: string) => void;
}

/** Validates an absolute logical store path and returns its base name. */
export function baseNameOf(ctx: Ctx, storePath: string): string {
  return parseStorePath(storePath, ctx.storeDir).baseName;
}

export function realPathOf(ctx: Ctx, storePath: string): string {
  return path.join(ctx.layout.root, baseNameOf(ctx, storePath));
}

export function storePathOfBase(ctx: Ctx, baseName: string): string {
  return `${ctx.storeDir}/${baseName}`;
}

/**
 * Maps a path inside the store — logical (`/nix/store/<base>/…`) or physical
 * (`<root>/<base>/…`) — to its logical store path, or undefined.
 */
export function toStorePathOpt(ctx: Ctx, p: string): string | undefined {
  for (const prefix of [ctx.storeDir, ctx.layout.root]) {
    if (p.startsWith(prefix + '/')) {
      const base = p.slice(prefix.length + 1).split('/')[0]!;
      const sp = storePathOfBase(ctx, base);
      try {
        parseStorePath(sp, ctx.storeDir);
        return sp;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** "sha256:<nixbase32>", as Nix prints NAR hashes. */
export function printNarHash(h: Hash): string {
  return printHash(h, 'base32', true);
}

export function notValid(p: string): MError {
  return new MError('STORE_ERROR', `path '${p}' is not valid`);
}

/** A fresh directory in the store's temp space, named after its owner so dead owners' can be swept. */
export function makeTempDir(ctx: Ctx): string {
  const d = path.join(ctx.layout.tmp, `${ctx.me.pid}-${ctx.me.start}-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(d, { mode: 0o700 });
  return d;
}

/** A fresh, not yet existing name in temp space (for trash). */
export function tempName(ctx: Ctx, tag: string): string {
  return path.join(ctx.layout.tmp, `${ctx.me.pid}-${ctx.me.start}-${tag}-${randomBytes(6).toString('hex')}`);
}

/** Deletes temp entries whose owner process is dead. */
export function sweepDeadTemps(ctx: Ctx, remove: (p: string) => void): void {
  for (const f of fs.readdirSync(ctx.layout.tmp)) {
    const m = /^(\d+)-(\d*)-/.exec(f);
    const id = m ? parseId(`${m[1]} ${m[2]}`) : undefined;
    if (id && !isAlive(id)) remove(path.join(ctx.layout.tmp, f));
  }
}

/**
 * Records `paths` as temp roots of this handle (kept alive by gc while it is open). Callers check
 * validity only after this returns (see temp-roots.ts).
 */
export function addTempRoots(ctx: Ctx, paths: Iterable<string>): void {
  const fresh = [...new Set(paths)].filter((p) => !ctx.tempRooted.has(p));
  if (fresh.length === 0) return;
  ctx.tempRoots.add(fresh);
  for (const p of fresh) ctx.tempRooted.add(p);
}

export function addTempRoot(ctx: Ctx, storePath: string): void {
  addTempRoots(ctx, [storePath]);
}

