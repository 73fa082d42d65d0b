/**
 * Garbage collection. Roots: the symlinks under `.m/gcroots` (direct: pointing into the store,
 * logical or physical; indirect: pointing to a symlink elsewhere that points into the store —
 * an indirect root whose link has vanished is removed), explicit `roots`, and the temp roots of
 * live processes (`.m/temproots`, see temp-roots.ts: the input closures of running builds and
 * their outputs until registered, whatever evaluations and `m . /x` runs use). Liveness closes over references, plus (options) derivers and derivation outputs.
 *
 * Race-freedom: roots are read and dead paths invalidated in ONE write transaction, and adders
 * record a temp root before checking validity; files are then deleted one path at a time under
 * the path's lock after re-checking that it is still invalid. Entries on disk that are not valid
 * (crash leftovers) and not locked are deleted too, as are dead processes' temp files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import {
  type Ctx,
  baseNameOf,
  sweepDeadTemps,
  tempName,
  toStorePathOpt,
} from './context';
import type { PathRow } from './db';
import { removeTree, treeSize } from './fs-tree';
import { addIndirectRootAt } from './roots';
import { META_DIR } from './layout';
import { cleanLockTemps } from './lock';
import { readTempRoots } from './temp-roots';
import { REPAIR_HINT } from './db';

export interface GcOptions {
  /** Extra roots (store paths). */
  roots?: Iterable<string>;
  /** Only report what would be deleted. */
  dryRun?: boolean;
  /** Keep the deriver of every live path (Nix's keep-derivations, default true). */
  keepDerivations?: boolean;
  /** Keep the outputs of every live derivation (Nix's keep-outputs, default false). */
  keepOutputs?: boolean;
  /** Delete only these paths (like `nix-store --delete`); a live one is an error. */
  only?: Iterable<string>;
}

export interface GcResult {
  /** Store paths that were valid and were deleted (or would be, with dryRun), sorted. */
  deleted: string[];
  /** Invalid leftovers found on disk and deleted (store paths), sorted. */
  garbage: string[];
  /** Bytes of file content freed. */
  bytesFreed: number;
}

/** Store paths named by the roots directory. */
export function findRoots(ctx: Ctx): Set<string> {
  const roots = new Set<string>();
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isSymbolicLink()) {
        const target = path.resolve(dir, fs.readlinkSync(p));
        const direct = toStorePathOpt(ctx, target);
        if (direct) {
          roots.add(direct);
          continue;
        }
        let tst: fs.Stats | undefined;
        try {
          tst = fs.lstatSync(target);
        } catch {
          tst = undefined;
        }
        if (!tst) fs.rmSync(p, { force: true }); // stale indirect root
        else if (tst.isSymbolicLink()) {
          const ind = toStorePathOpt(ctx, path.resolve(path.dirname(target), fs.readlinkSync(target)));
          if (ind) roots.add(ind);
        }
      }
    }
  };
  walk(ctx.layout.gcroots);
  return roots;
}

/** Symlink `.m/gcroots/<name>` → store path (a permanent root). Returns the link's path. */
export function addGcRoot(ctx: Ctx, storePath: string, name?: string): string {
  const link = path.join(ctx.layout.gcroots, name ?? baseNameOf(ctx, storePath));
  if (!link.startsWith(ctx.layout.gcroots + '/')) throw new MError('BAD_ARGUMENT', `invalid GC root name '${name}'`);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const tmp = `${link}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(storePath, tmp);
  fs.renameSync(tmp, link);
  return link;
}

/**
 * Registers the symlink `linkPath` (e.g. a `result` link, anywhere) as an indirect root: its
 * target is kept alive for as long as the link exists and points into the store.
 */
export function addIndirectRoot(ctx: Ctx, linkPath: string): string {
  return addIndirectRootAt(ctx.layout.root, linkPath);
}

function liveSet(ctx: Ctx, roots: Set<string>, opts: GcOptions): Set<string> {
  const { q } = ctx.db;
  const keepDrv = opts.keepDerivations ?? true;
  const keepOut = opts.keepOutputs ?? false;
  const live = new Set<string>();
  const stack = [...roots].filter((r) => q.pathId.get(r) !== undefined);
  while (stack.length) {
    const p = stack.pop()!;
    if (live.has(p)) continue;
    live.add(p);
    for (const r of q.referencesOf.all(p) as string[]) if (!live.has(r)) stack.push(r);
    if (keepDrv) {
      const row = q.pathRow.get(p) as PathRow;
      if (row.deriver && q.pathId.get(row.deriver) !== undefined) stack.push(row.deriver);
    }
    if (keepOut && p.endsWith('.drv'))
      for (const o of q.drvOutputs.all(p) as { path: string }[]) if (q.pathId.get(o.path) !== undefined) stack.push(o.path);
  }
  return live;
}

export function gc(ctx: Ctx, opts: GcOptions = {}): GcResult {
  const { q } = ctx.db;
  if (ctx.rebuildPending)
    throw new MError('STORE_ERROR', `refusing to collect garbage: the store database '${ctx.layout.dbFile}' has not been rebuilt`, {
      hint: REPAIR_HINT,
    });
  // Held until the deletions are done: adders of temp roots wait for it (see temp-roots.ts).
  const releaseGc = ctx.locks.acquire('gc');
  try {
    const explicitRoots = new Set(opts.roots ?? []);
    for (const r of explicitRoots) baseNameOf(ctx, r);
    const dirRoots = findRoots(ctx);
    const only = opts.only === undefined ? undefined : new Set(opts.only);

    const dead = ctx.db.write(() => {
      const roots = new Set([...explicitRoots, ...dirRoots, ...readTempRoots(ctx.layout.meta, opts.dryRun)]);
      const live = liveSet(ctx, roots, opts);
      if (only) for (const p of only) {
        if (live.has(p)) throw new MError('STORE_ERROR', `cannot delete path '${p}' since it is still alive`);
        if (q.pathId.get(p) === undefined) throw new MError('STORE_ERROR', `path '${p}' is not valid`);
      }
      const candidates = (q.allPaths.all() as string[]).filter((p) => !live.has(p) && (!only || only.has(p)));
      if (only) {
        // Deleting a subset: each must have no referrers outside the deleted set.
        const del = new Set(candidates);
        for (const p of candidates)
          for (const r of q.referrersOf.all(p) as string[])
            if (!del.has(r)) throw new MError('STORE_ERROR', `cannot delete path '${p}' because it is referenced by '${r}'`);
      }
      if (!opts.dryRun) for (const p of candidates) q.deletePath.run(p);
      return candidates;
    });

    if (opts.dryRun) return { deleted: dead, garbage: [], bytesFreed: 0 };

    let bytesFreed = 0;
    const removeIfInvalid = (storePath: string): boolean => {
      const release = ctx.locks.tryAcquire(baseNameOf(ctx, storePath));
      if (!release) return false; // being (re)added right now
      try {
        if (q.pathId.get(storePath) !== undefined) return false;
        const real = path.join(ctx.layout.root, baseNameOf(ctx, storePath));
        bytesFreed += treeSize(real);
        removeTree(real, tempName(ctx, 'gc'));
        return true;
      } finally {
        release();
      }
    };
    for (const p of dead) removeIfInvalid(p);

    const garbage: string[] = [];
    if (!only) {
      const deadSet = new Set(dead);
      for (const name of fs.readdirSync(ctx.layout.root)) {
        if (name === META_DIR) continue;
        const sp = toStorePathOpt(ctx, `${ctx.storeDir}/${name}`);
        if (!sp) continue; // not a store path name: not ours to judge
        if (deadSet.has(sp) || q.pathId.get(sp) !== undefined) continue;
        if (removeIfInvalid(sp)) garbage.push(sp);
      }
      sweepDeadTemps(ctx, (p) => removeTree(p, tempName(ctx, 'sweep')));
      cleanLockTemps(ctx.layout.locks);
      sweepStaleLocks(ctx);
    }
    return { deleted: dead.sort(), garbage: garbage.sort(), bytesFreed };
  } finally {
    releaseGc();
  }
}

/**
 * Removes lock files whose holder died (e.g. killed after registering a path but before unlocking):
 * taking such a lock clears it safely (see lock.ts), and releasing it removes the file. Locks of
 * live processes and the gc lock held by this call are left alone.
 */
function sweepStaleLocks(ctx: Ctx): void {
  for (const f of fs.readdirSync(ctx.layout.locks)) {
    if (!f.endsWith('.lock') || f === 'gc.lock') continue;
    ctx.locks.tryAcquire(f.slice(0, -'.lock'.length))?.();
  }
}
