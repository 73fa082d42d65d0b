/** Adding content to the store: staging, canonicalising, locking, moving into place, registering. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import {
  type Derivation,
  checkStorePathName,
  derivationReferences,
  hashBytes,
  makeFixedOutputPath,
  makeTextPath,
  concatBytes,
  printDerivationBytes,
  printHash,
  sortedUtf8,
} from '@m/nix-compat';
import { type Ctx, addTempRoot, addTempRoots, makeTempDir, notValid, printNarHash, realPathOf, tempName } from './context';
import { type PathFilter, hashPath, readFileChunks } from './fs-nar-source';
import { canonicalise, copyFlat, copyTree, moveIntoPlace, removeTree } from './fs-tree';
import type { Release } from './lock';

export type IngestionMethod = 'recursive' | 'flat';

export interface AddPathOptions {
  /** Store path name (checked like Nix: [A-Za-z0-9+-._?=], not starting with '.', ≤ 211 chars). */
  name: string;
  /** File or directory to copy in. */
  srcPath: string;
  /** 'recursive' (NAR hash, default) or 'flat' (hash of a regular file's contents). */
  method?: IngestionMethod;
  /** Like builtins.path's filter: called with (absolute source path, type) for entries below the root. */
  filter?: PathFilter;
}

/** What `registerOutputs` records for one path. */
export interface PathRegistration {
  path: string;
  references: Iterable<string>;
  deriver?: string;
  ca?: string;
  /** If given, the content is moved from here (any location on the store's file system). */
  from?: string;
}

interface Pending {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
  deriver?: string;
  ca?: string;
  drvOutputs?: [string, string][];
}

function ioError(e: unknown, what: string): MError {
  if (e instanceof MError) return e;
  return new MError('IO_ERROR', `${what}: ${(e as Error).message}`, { cause: e });
}

function fileHash(p: string) {
  return hashBytes('sha256', readFileChunks(p));
}

/** The store path `addPath` would produce for the current content, without writing anything. */
export function computeAddPath(ctx: Ctx, opts: AddPathOptions): { path: string; ca: string } {
  checkStorePathName(opts.name);
  const method = opts.method ?? 'recursive';
  try {
    const hash = method === 'flat' ? fileHashFollowing(opts.srcPath) : hashPath(opts.srcPath, opts.filter).hash;
    return {
      path: makeFixedOutputPath({ method, hash, name: opts.name, storeDir: ctx.storeDir }),
      ca: `fixed:${method === 'recursive' ? 'r:' : ''}${printHash(hash, 'base32', true)}`,
    };
  } catch (e) {
    throw ioError(e, `hashing '${opts.srcPath}'`);
  }
}

function fileHashFollowing(p: string) {
  if (!fs.statSync(p).isFile()) throw new MError('STORE_ERROR', `file '${p}' is not a regular file; cannot add it flat`);
  return fileHash(p);
}

export function isValid(ctx: Ctx, storePath: string): boolean {
  return ctx.db.q.pathId.get(storePath) !== undefined;
}

/**
 * Takes the per-path lock, unless this handle already holds it (via lockPaths). Locks are always
 * taken in sorted order by callers that take several, so two processes cannot deadlock.
 */
function lockPath(ctx: Ctx, storePath: string): Release {
  if (ctx.heldPaths.has(storePath)) return () => {};
  return ctx.locks.acquire(path.basename(realPathOf(ctx, storePath)));
}

export function lockPaths(ctx: Ctx, paths: Iterable<string>): Release {
  const releases: Release[] = [];
  try {
    for (const p of sortedUtf8(new Set(paths))) {
      if (ctx.heldPaths.has(p)) continue;
      const r = ctx.locks.acquire(path.basename(realPathOf(ctx, p)));
      ctx.heldPaths.set(p, r);
      releases.push(() => {
        ctx.heldPaths.delete(p);
        r();
      });
    }
  } catch (e) {
    for (const r of releases) r();
    throw e;
  }
  return () => {
    for (const r of releases.reverse()) r();
  };
}

/** Registers `items` as valid in one transaction (all or nothing). References must be valid or in the batch. */
export function registerInDb(ctx: Ctx, items: Pending[]): void {
  const { q } = ctx.db;
  const now = Math.floor(Date.now() / 1000);
  addTempRoots(ctx, items.map((it) => it.path));
  ctx.db.write(() => {
    const ids = new Map<string, number>();
    for (const it of items) {
      const row = q.insertPath.get({
        path: it.path,
        narHash: it.narHash,
        narSize: it.narSize,
        deriver: it.deriver ?? null,
        registrationTime: now,
        ca: it.ca ?? null,
      }) as { id: number };
      ids.set(it.path, row.id);
      q.deleteRefsOf.run(row.id);
    }
    for (const it of items) {
      for (const ref of it.references) {
        const refId = ids.get(ref) ?? (q.pathId.get(ref) as number | undefined);
        if (refId === undefined)
          throw new MError(
            'STORE_ERROR',
            `cannot add path '${it.path}' because it references path '${ref}', which is not valid`,
          );
        q.insertRef.run(ids.get(it.path)!, refId);
      }
      for (const [name, out] of it.drvOutputs ?? []) q.insertDrvOutput.run(ids.get(it.path)!, name, out);
    }
  });
}

/**
 * Makes `pending.path` valid with the canonical tree at `staged` (inside the store's file system):
 * under the path's lock, unless it became valid meanwhile, deletes any invalid leftover at the
 * destination, renames the staged tree into place, then registers it. Returns whether we wrote it.
 */
function install(ctx: Ctx, staged: string, pending: Pending): boolean {
  addTempRoot(ctx, pending.path);
  const release = lockPath(ctx, pending.path);
  try {
    if (isValid(ctx, pending.path)) return false;
    const real = realPathOf(ctx, pending.path);
    removeTree(real, tempName(ctx, 'garbage'));
    moveIntoPlace(staged, real);
    registerInDb(ctx, [pending]);
  } finally {
    release();
  }
  ctx.onWrite?.(pending.path);
  return true;
}

/** Copies a file or tree into the store like builtins.path / filterSource; returns its store path. */
export function addPath(ctx: Ctx, opts: AddPathOptions): string {
  const method = opts.method ?? 'recursive';
  const quick = computeAddPath(ctx, opts);
  addTempRoot(ctx, quick.path);
  if (isValid(ctx, quick.path)) return quick.path;

  const tmp = makeTempDir(ctx);
  try {
    const staged = path.join(tmp, 'x');
    try {
      if (method === 'flat') copyFlat(opts.srcPath, staged);
      else copyTree(opts.srcPath, staged, opts.filter);
    } catch (e) {
      throw ioError(e, `copying '${opts.srcPath}' to the store`);
    }
    canonicalise(staged);
    // The staged copy is the authority: the source may have changed since it was hashed.
    const nar = hashPath(staged);
    const contentHash = method === 'flat' ? fileHash(staged) : nar.hash;
    const storePath = makeFixedOutputPath({ method, hash: contentHash, name: opts.name, storeDir: ctx.storeDir });
    install(ctx, staged, {
      path: storePath,
      narHash: printNarHash(nar.hash),
      narSize: nar.narSize,
      references: [],
      ca: `fixed:${method === 'recursive' ? 'r:' : ''}${printHash(contentHash, 'base32', true)}`,
    });
    return storePath;
  } finally {
    removeTree(tmp, tempName(ctx, 'trash'));
  }
}

/** builtins.toFile / .drv files: a text file with the given references. Returns its store path. */
export function addText(
  ctx: Ctx,
  name: string,
  text: string | Uint8Array,
  references: Iterable<string> = [],
  drvOutputs?: [string, string][],
): string {
  checkStorePathName(name);
  const refs = sortedUtf8(new Set(references));
  const hash = hashBytes('sha256', text);
  const storePath = makeTextPath(name, hash, refs, ctx.storeDir);
  addTempRoot(ctx, storePath);
  if (isValid(ctx, storePath)) return storePath;
  for (const r of refs) if (!isValid(ctx, r)) throw notValid(r);

  const tmp = makeTempDir(ctx);
  try {
    const staged = path.join(tmp, 'x');
    fs.writeFileSync(staged, text, { mode: 0o644 });
    canonicalise(staged);
    const nar = hashPath(staged);
    install(ctx, staged, {
      path: storePath,
      narHash: printNarHash(nar.hash),
      narSize: nar.narSize,
      references: refs,
      ca: `text:${printHash(hash, 'base32', true)}`,
      drvOutputs,
    });
    return storePath;
  } finally {
    removeTree(tmp, tempName(ctx, 'trash'));
  }
}

/**
 * Writes `drv` as `<name>.drv` (name defaults to env.name), references = inputSrcs ∪ inputDrvs,
 * and records its output paths in the derivation-outputs table.
 */
export function writeDerivation(ctx: Ctx, drv: Derivation, name?: string, aterm?: readonly Uint8Array[]): string {
  const drvName = name ?? drv.env.get('name');
  if (drvName === undefined) throw new MError('STORE_ERROR', 'derivation has no name');
  const outputs: [string, string][] = [];
  for (const [out, o] of drv.outputs) if (o.path !== '') outputs.push([out, o.path]);
  const bytes = aterm === undefined ? printDerivationBytes(drv) : aterm.length === 1 ? aterm[0]! : concatBytes(aterm);
  return addText(ctx, `${drvName}.drv`, bytes, derivationReferences(drv), outputs);
}

/**
 * Registers build outputs (for the builder). Each path's content is at `from` (moved into place)
 * or already at its real location. Content is canonicalised and NAR-hashed, then all paths are
 * registered in one transaction; references must be valid or part of the batch. Path locks are
 * taken unless already held via lockPaths.
 */
export function registerOutputs(ctx: Ctx, regs: PathRegistration[]): void {
  const release = lockPaths(ctx, regs.map((r) => r.path));
  try {
    const pending: Pending[] = [];
    for (const r of regs) {
      const real = realPathOf(ctx, r.path);
      if (r.from !== undefined) {
        canonicalise(r.from);
        removeTree(real, tempName(ctx, 'garbage'));
        moveIntoPlace(r.from, real);
      } else {
        if (!fs.existsSync(real) && !isSymlink(real)) throw new MError('STORE_ERROR', `output path '${r.path}' does not exist`);
        canonicalise(real);
      }
      const nar = hashPath(real);
      pending.push({
        path: r.path,
        narHash: printNarHash(nar.hash),
        narSize: nar.narSize,
        references: sortedUtf8(new Set(r.references)),
        deriver: r.deriver,
        ca: r.ca,
      });
    }
    registerInDb(ctx, pending);
  } finally {
    release();
  }
  for (const r of regs) ctx.onWrite?.(r.path);
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
