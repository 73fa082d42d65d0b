/** `importHostPackage`: a host package and the packages it needs, as store paths. */
import { MError } from '@m/core';
import { checkStorePathName } from '@m/nix-compat';
import type { Store } from '@m/store';
import { buildUnit } from './build';
import { type IndexEntry, readIndex, writeIndex } from './cache';
import { type DebPackage, allPackageNames, dpkgStatusStamp, hasDpkg, queryPackages } from './dpkg';
import { importFromPath } from './fallback';
import { type PackagePlan, planPackage, resolveOwners } from './plan';
import { closestNames } from './suggest';

export type HostPkgEvent =
  | { kind: 'cached'; package: string; storePath: string }
  | { kind: 'planned'; package: string; version: string; files: number; deps: string[] }
  | { kind: 'imported'; package: string; storePath: string; patched: number; ms: number }
  | { kind: 'note'; package: string; message: string };

export interface ImportOptions {
  onEvent?: (e: HostPkgEvent) => void;
  /** 'dpkg' (default where available) or 'path': a program on PATH with its libraries (ldd). */
  source?: 'dpkg' | 'path';
}

export interface ImportResult {
  storePath: string;
  /** The store path's closure, dependencies first. */
  closure: string[];
}

/** `<name>-<upstream version>` (epoch and Debian revision dropped), as a valid store path name. */
export function storeNameOf(pkg: Pick<DebPackage, 'name' | 'version'>): string {
  const upstream = pkg.version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  const name = `${pkg.name}-${upstream}`.replace(/[^A-Za-z0-9+\-._?=]/g, '_');
  checkStorePathName(name);
  return name;
}

const memo = new WeakMap<Store, Map<string, string>>();

function remember(store: Store, name: string, storePath: string): void {
  let m = memo.get(store);
  if (!m) memo.set(store, (m = new Map()));
  m.set(name, storePath);
}

function result(store: Store, storePath: string): ImportResult {
  return { storePath, closure: store.closure([storePath]) };
}

/** A cached import still matching the installed package, if any (asks dpkg only if its status changed). */
function cachedImport(store: Store, name: string, stamp: number, info?: DebPackage): string | undefined {
  const e = readIndex(store, name);
  if (!e) return undefined;
  if (e.stamp === stamp) return e.storePath;
  const cur = info ?? queryPackages([name]).get(name);
  if (!cur || cur.version !== e.version || cur.architecture !== e.architecture) return undefined;
  writeIndex(store, name, { ...e, stamp });
  return e.storePath;
}

function unknownPackage(name: string): MError {
  let hint: string | undefined;
  try {
    const close = closestNames(name, allPackageNames());
    if (close.length) hint = `did you mean ${close.map((c) => `'${c}'`).join(', ')}?`;
  } catch {
    /* no suggestions */
  }
  return new MError('MISSING_ATTR', `host package '${name}' is not installed`, { hint });
}

/**
 * Imports host package `name` (a Debian binary package, or with no dpkg a program on PATH) and,
 * first, every package it needs; each becomes its own content-addressed store path. Imports are
 * indexed by name, version and architecture, so importing again costs a file read.
 */
export function importHostPackage(store: Store, name: string, opts: ImportOptions = {}): ImportResult {
  const emit = opts.onEvent ?? (() => {});
  const source = opts.source ?? (hasDpkg() ? 'dpkg' : 'path');
  if (source === 'path') return result(store, importFromPath(store, name, emit));

  const hit = memo.get(store)?.get(name);
  if (hit && store.isValid(hit)) {
    store.addTempRoot(hit);
    return result(store, hit);
  }
  const stamp = dpkgStatusStamp();
  const quick = cachedImport(store, name, stamp);
  if (quick) {
    store.addTempRoot(quick);
    emit({ kind: 'cached', package: name, storePath: quick });
    remember(store, name, quick);
    return result(store, quick);
  }

  // Breadth-first discovery: cached packages are leaves, others are planned.
  const done = new Map<string, string>();
  const plans = new Map<string, PackagePlan>();
  let level = [name];
  while (level.length > 0) {
    const infos = queryPackages(level);
    const fresh: PackagePlan[] = [];
    for (const n of level) {
      const info = infos.get(n);
      if (!info) {
        if (n === name) throw unknownPackage(name);
        throw new MError('STORE_ERROR', `host package '${n}' (needed by '${name}') is not installed`);
      }
      const c = cachedImport(store, n, stamp, info);
      if (c) {
        store.addTempRoot(c);
        done.set(n, c);
        emit({ kind: 'cached', package: n, storePath: c });
        continue;
      }
      const p = planPackage(info);
      plans.set(n, p);
      fresh.push(p);
    }
    resolveOwners(fresh);
    const next = new Set<string>();
    for (const p of fresh) {
      emit({ kind: 'planned', package: p.pkg.name, version: p.pkg.version, files: p.entries.size, deps: [...p.deps] });
      for (const d of p.deps) if (!plans.has(d) && !done.has(d)) next.add(d);
    }
    level = [...next];
  }

  for (const unit of stronglyConnected(plans)) {
    const t0 = Date.now();
    const members = unit.map((p) => p.pkg);
    const unitName =
      members.length === 1
        ? storeNameOf(members[0]!)
        : storeNameOf({ name: members.map((m) => m.name).sort().join('+'), version: members[0]!.version });
    const r = buildUnit(store, unitName, unit, done);
    for (const m of members) {
      done.set(m.name, r.storePath);
      const e: IndexEntry = { name: m.name, version: m.version, architecture: m.architecture, storePath: r.storePath, stamp };
      writeIndex(store, m.name, e);
      remember(store, m.name, r.storePath);
    }
    for (const n of r.notes) emit({ kind: 'note', package: unitName, message: n });
    emit({ kind: 'imported', package: unitName, storePath: r.storePath, patched: r.patched, ms: Date.now() - t0 });
  }
  return result(store, done.get(name)!);
}

/** Tarjan's algorithm: the plans' dependency cycles, dependencies before dependants. */
function stronglyConnected(plans: Map<string, PackagePlan>): PackagePlan[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: PackagePlan[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of plans.get(v)!.deps) {
      if (!plans.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: PackagePlan[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(plans.get(w)!);
      } while (w !== v);
      out.push(scc);
    }
  };
  for (const v of [...plans.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}
