/** `openStore`: the store handle, a plain object of functions over one database connection. */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { MError } from '@m/core';
import type { Derivation } from '@m/nix-compat';
import {
  type AddPathOptions,
  type PathRegistration,
  addPath,
  addText,
  computeAddPath,
  isValid,
  lockPaths,
  registerOutputs,
  writeDerivation,
} from './add';
import { type Ctx, addTempRoot, addTempRoots, makeTempDir, realPathOf, toStorePathOpt } from './context';
import { type StoreDb, createDb, isCorruption, openDb } from './db';
import { checkDb, dbStateError, rebuildMarker, setAside } from './db-check';
import { type GcOptions, type GcResult, addGcRoot, addIndirectRoot, findRoots, gc } from './gc';
import { type Layout, ensureLayout, makeLayout } from './layout';
import { type Release, makeLocks } from './lock';
import { selfId } from './process-id';
import {
  type ClosureOptions,
  type PathInfo,
  type PathInfoEntry,
  type PathInfoOptions,
  type WhyDependsOptions,
  type WhyDependsResult,
  closure,
  pathInfo,
  queryPathInfo,
  references,
  referrers,
  whyDepends,
} from './query';
import { type TempRootsFile, tempRootsAt, tempRootsFile } from './temp-roots';
import { type VerifyOptions, type VerifyResult, verify } from './verify';

export interface OpenStoreOptions {
  /** Physical directory holding the store entries and the `.m/` folder (created if missing). */
  root: string;
  /** Logical store directory used in path names and hashes (default /nix/store). */
  storeDir?: string;
  /** Called after this handle made a path valid (e.g. to print "copying path …"). */
  onWrite?: (storePath: string) => void;
  /**
   * For `verify({ repair: true })` after the database was lost: a missing or damaged database is
   * set aside and replaced by an empty one, which that verify fills from the store's contents.
   * Without it, such a database (or an unfinished rebuild) is an error naming the file.
   */
  rebuildDatabase?: boolean;
  /**
   * Append this handle's temp roots to the file of this name in `.m/temproots` (see temp-roots.ts)
   * and leave it in place on close: the caller keeps the roots alive beyond the handle and
   * removes the file itself.
   */
  tempRootsFile?: string;
}

export interface Store {
  readonly root: string;
  readonly storeDir: string;
  readonly layout: Layout;
  /** Physical location of a (logical) store path. */
  realPath(storePath: string): string;
  /** Logical store path containing a logical or physical path, or undefined if outside the store. */
  toStorePath(p: string): string | undefined;

  /** builtins.path / filterSource: copy a file or tree in; returns the store path (as Nix computes it). */
  addPath(opts: AddPathOptions): string;
  /** The store path addPath would return, without writing (read-only evaluation). */
  computeAddPath(opts: AddPathOptions): string;
  /** builtins.toFile and .drv files: returns the store path. References must be valid. */
  addText(name: string, text: string | Uint8Array, references?: Iterable<string>): string;
  /**
   * Writes `<name>.drv` (name defaults to env.name) and records its outputs. `aterm`: the .drv's
   * bytes when the caller already printed them (the evaluator does), else they are printed here.
   */
  writeDerivation(drv: Derivation, name?: string, aterm?: readonly Uint8Array[]): string;
  /** For the builder: registers outputs (content at `from` or already in place) in one transaction. */
  registerOutputs(regs: PathRegistration[]): void;
  /** Holds the per-path locks of `paths` (sorted order) until the returned function is called. */
  lockPaths(paths: Iterable<string>): Release;

  isValid(storePath: string): boolean;
  queryPathInfo(storePath: string): PathInfo | undefined;
  references(storePath: string): string[];
  referrers(storePath: string): string[];
  /** Output name → path recorded for a valid .drv. */
  derivationOutputs(drvPath: string): Map<string, string>;
  /** Valid .drv files that record `outPath` as an output. */
  derivers(outPath: string): string[];
  /** Closure in topological order, dependencies first. */
  closure(paths: Iterable<string>, opts?: ClosureOptions): string[];
  pathInfo(paths: string[], opts?: PathInfoOptions): PathInfoEntry[];
  whyDepends(from: string, to: string, opts?: WhyDependsOptions): WhyDependsResult;

  /** Keeps `storePath` alive while this process runs. */
  addTempRoot(storePath: string): void;
  /** addTempRoot of several paths at once (one write to the temp-roots file). */
  addTempRoots(storePaths: Iterable<string>): void;
  addGcRoot(storePath: string, name?: string): string;
  addIndirectRoot(linkPath: string): string;
  /** Store paths named by the roots directory. */
  findRoots(): Set<string>;
  gc(opts?: GcOptions): GcResult;
  verify(opts?: VerifyOptions): VerifyResult;

  /** A fresh private directory inside the store's file system (for builds); the caller removes it. */
  makeTempDir(): string;
  /** Where the build log of `drvPath` goes. */
  logPath(drvPath: string): string;
  /** Closes the database and drops this handle's temp roots. Never throws. */
  close(): void;
}

/** A temp-roots file owned by someone else: closing the handle closes its descriptor, never deletes it. */
function sharedTempRoots(t: TempRootsFile): TempRootsFile {
  return { file: t.file, add: (paths) => t.add(paths), remove: () => t.close(), close: () => t.close() };
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Opens the database after db-check's checks; `rebuild` tells whether validity must be rebuilt. */
function openDatabase(layout: Layout, rebuildDatabase: boolean): { db: StoreDb; rebuild: boolean } {
  const marker = rebuildMarker(layout);
  let state = checkDb(layout);
  if (state === 'new' && !exists(layout.dbFile)) createDb(layout.dbFile);
  if (!rebuildDatabase) {
    if (state === 'missing' || state === 'damaged') throw dbStateError(layout, state);
    if (exists(marker)) throw dbStateError(layout, 'incomplete');
    return { db: openDb(layout.dbFile), rebuild: false };
  }
  if (state === 'ok') {
    try {
      const db = openDb(layout.dbFile);
      // Damage anywhere in the file (not only where opening looks) is repaired by a rebuild.
      if (db.quickCheck()) return { db, rebuild: exists(marker) };
      db.close();
    } catch (e) {
      if (!isCorruption(e)) throw e;
    }
    state = 'damaged';
  }
  if (state === 'missing' || state === 'damaged') {
    fs.writeFileSync(marker, '');
    setAside(layout);
  }
  return { db: openDb(layout.dbFile), rebuild: exists(marker) };
}

export function openStore(opts: OpenStoreOptions): Store {
  const storeDir = opts.storeDir ?? '/nix/store';
  if (!storeDir.startsWith('/') || storeDir.endsWith('/'))
    throw new MError('BAD_ARGUMENT', `invalid store directory '${storeDir}'`);
  const layout = makeLayout(opts.root, storeDir);
  ensureLayout(layout);
  const { db, rebuild } = openDatabase(layout, opts.rebuildDatabase ?? false);
  const me = selfId();
  const ownRoots = opts.tempRootsFile === undefined;
  const ctx: Ctx = {
    layout,
    storeDir,
    db,
    locks: makeLocks(layout.locks, me, (fn) => db.write(fn)),
    me,
    tempRoots: ownRoots
      ? tempRootsFile(layout.meta, me)
      : sharedTempRoots(tempRootsAt(layout.meta, opts.tempRootsFile!)),
    rebuildPending: rebuild,
    tempRooted: new Set(),
    heldPaths: new Map(),
    onWrite: opts.onWrite,
  };
  let closed = false;

  return {
    root: layout.root,
    storeDir,
    layout,
    realPath: (p) => realPathOf(ctx, p),
    toStorePath: (p) => toStorePathOpt(ctx, path.resolve(p)),
    addPath: (o) => addPath(ctx, o),
    computeAddPath: (o) => computeAddPath(ctx, o).path,
    addText: (name, text, refs) => addText(ctx, name, text, refs),
    writeDerivation: (drv, name, aterm) => writeDerivation(ctx, drv, name, aterm),
    registerOutputs: (regs) => registerOutputs(ctx, regs),
    lockPaths: (paths) => lockPaths(ctx, paths),
    isValid: (p) => isValid(ctx, p),
    queryPathInfo: (p) => queryPathInfo(ctx, p),
    references: (p) => references(ctx, p),
    referrers: (p) => referrers(ctx, p),
    derivationOutputs: (p) =>
      new Map((db.q.drvOutputs.all(p) as { name: string; path: string }[]).map((o) => [o.name, o.path])),
    derivers: (p) => db.q.derivers.all(p) as string[],
    closure: (paths, o) => closure(ctx, paths, o),
    pathInfo: (paths, o) => pathInfo(ctx, paths, o),
    whyDepends: (a, b, o) => whyDepends(ctx, a, b, o),
    addTempRoot: (p) => addTempRoot(ctx, p),
    addTempRoots: (ps) => addTempRoots(ctx, ps),
    addGcRoot: (p, name) => addGcRoot(ctx, p, name),
    addIndirectRoot: (l) => addIndirectRoot(ctx, l),
    findRoots: () => findRoots(ctx),
    gc: (o) => gc(ctx, o),
    verify: (o) => verify(ctx, o),
    makeTempDir: () => makeTempDir(ctx),
    logPath: (drvPath) => path.join(layout.logs, `${path.basename(realPathOf(ctx, drvPath))}.log`),
    close() {
      if (closed) return;
      closed = true;
      for (const step of [...[...ctx.heldPaths.values()], () => db.close(), () => ctx.tempRoots.remove()])
        try {
          step();
        } catch {
          /* closing must not fail: each step is independent */
        }
    },
  };
}
