/** Read-only queries: path info, references, closures, why-depends. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storePathHashPart } from '@m/nix-compat';
import { type Ctx, notValid, realPathOf } from './context';
import type { PathRow } from './db';

export interface PathInfo {
  path: string;
  /** "sha256:<nixbase32>" */
  narHash: string;
  narSize: number;
  deriver?: string;
  /** Seconds since the epoch. */
  registrationTime: number;
  /** "fixed:[r:]<algo>:<base32>" or "text:sha256:<base32>" for content-addressed paths. */
  ca?: string;
  /** Sorted. May include the path itself. */
  references: string[];
}

export function queryPathInfo(ctx: Ctx, storePath: string): PathInfo | undefined {
  return ctx.db.read(() => {
    const row = ctx.db.q.pathRow.get(storePath) as PathRow | undefined;
    if (!row) return undefined;
    const info: PathInfo = {
      path: row.path,
      narHash: row.narHash,
      narSize: row.narSize,
      registrationTime: row.registrationTime,
      references: ctx.db.q.referencesOf.all(storePath) as string[],
    };
    if (row.deriver !== null) info.deriver = row.deriver;
    if (row.ca !== null) info.ca = row.ca;
    return info;
  });
}

function requireValid(ctx: Ctx, p: string): void {
  if (ctx.db.q.pathId.get(p) === undefined) throw notValid(p);
}

export function references(ctx: Ctx, storePath: string): string[] {
  requireValid(ctx, storePath);
  return ctx.db.q.referencesOf.all(storePath) as string[];
}

export function referrers(ctx: Ctx, storePath: string): string[] {
  requireValid(ctx, storePath);
  return ctx.db.q.referrersOf.all(storePath) as string[];
}

export interface ClosureOptions {
  /** Also follow a derivation's recorded output paths (when valid). */
  includeOutputs?: boolean;
  /** Also follow each path's deriver (when valid). */
  includeDerivers?: boolean;
}

/**
 * The closure of `roots` under references, in topological order: every path comes after all the
 * paths it references (dependencies first; ties broken by path order). Throws for invalid roots.
 */
export function closure(ctx: Ctx, roots: Iterable<string>, opts: ClosureOptions = {}): string[] {
  const { q } = ctx.db;
  return ctx.db.read(() => {
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const next = (p: string): string[] => {
      const out = [...(q.referencesOf.all(p) as string[])];
      if (opts.includeOutputs)
        for (const o of q.drvOutputs.all(p) as { path: string }[]) if (q.pathId.get(o.path) !== undefined) out.push(o.path);
      if (opts.includeDerivers) {
        const row = q.pathRow.get(p) as PathRow;
        if (row.deriver && q.pathId.get(row.deriver) !== undefined) out.push(row.deriver);
      }
      return out.sort();
    };
    // Iterative DFS (closures can be deep); post-order gives dependencies first.
    for (const root of [...roots].sort()) {
      if (state.has(root)) continue;
      if (q.pathId.get(root) === undefined) throw notValid(root);
      const stack: { p: string; succ: string[]; i: number }[] = [{ p: root, succ: next(root), i: 0 }];
      state.set(root, 'visiting');
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        if (top.i < top.succ.length) {
          const s = top.succ[top.i++]!;
          if (!state.has(s)) {
            state.set(s, 'visiting');
            stack.push({ p: s, succ: next(s), i: 0 });
          }
        } else {
          stack.pop();
          state.set(top.p, 'done');
          order.push(top.p);
        }
      }
    }
    return order;
  });
}

export interface PathInfoOptions {
  /** Add `closureSize` (sum of narSize over the closure) to each entry. */
  closureSize?: boolean;
  /** Report every path in the closure of `paths` (sorted by path) instead of just `paths`. */
  recursive?: boolean;
}

export type PathInfoEntry = PathInfo & { closureSize?: number };

/** Like `nix path-info`; throws MError "path '…' is not valid" for an invalid path. */
export function pathInfo(ctx: Ctx, paths: string[], opts: PathInfoOptions = {}): PathInfoEntry[] {
  const list = opts.recursive ? closure(ctx, paths).sort() : paths;
  return list.map((p) => {
    const info = queryPathInfo(ctx, p);
    if (!info) throw notValid(p);
    const entry: PathInfoEntry = info;
    if (opts.closureSize)
      entry.closureSize = closure(ctx, [p]).reduce((n, q) => n + (ctx.db.q.pathRow.get(q) as PathRow).narSize, 0);
    return entry;
  });
}

export interface WhyDependsOptions {
  /** Every dependency path from `from` to `to`, not just one shortest chain. */
  all?: boolean;
  /** For each edge, find the files in the referrer that contain the reference's hash. */
  precise?: boolean;
}

export interface WhyDependsHit {
  /** Path of the file relative to the referrer's root ("" for the root itself). */
  file: string;
  /** A short excerpt around the hash occurrence (or the symlink target). */
  excerpt: string;
}

export interface WhyDependsEdge {
  from: string;
  to: string;
  hits?: WhyDependsHit[];
}

export interface WhyDependsResult {
  /** Whether `to` is in the closure of `from`. */
  depends: boolean;
  /** One shortest reference chain from → … → to (empty if not dependent). */
  chain: string[];
  /** The edges of the chain, or with `all`, of every path from `from` to `to`. */
  edges: WhyDependsEdge[];
}

/** Why does `from` depend on `to` (like `nix why-depends`)? */
export function whyDepends(ctx: Ctx, from: string, to: string, opts: WhyDependsOptions = {}): WhyDependsResult {
  const { q } = ctx.db;
  requireValid(ctx, from);
  requireValid(ctx, to);
  const cl = closure(ctx, [from]);
  if (!cl.includes(to)) return { depends: false, chain: [], edges: [] };
  const refs = new Map(cl.map((p) => [p, (q.referencesOf.all(p) as string[]).filter((r) => r !== p)]));

  // BFS from `from` for a shortest chain.
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const p = queue.shift()!;
    if (p === to) break;
    for (const r of refs.get(p)!) if (!seen.has(r)) {
      seen.add(r);
      prev.set(r, p);
      queue.push(r);
    }
  }
  const chain = [to];
  while (chain[0] !== from) chain.unshift(prev.get(chain[0]!)!);

  let edges: WhyDependsEdge[];
  if (opts.all) {
    // Nodes that can reach `to` (closure order lists dependencies first).
    const reaches = new Set<string>([to]);
    for (const p of cl) if (refs.get(p)!.some((r) => reaches.has(r))) reaches.add(p);
    edges = [];
    for (const p of cl) if (reaches.has(p) && p !== to) for (const r of refs.get(p)!) if (reaches.has(r)) edges.push({ from: p, to: r });
  } else {
    edges = chain.slice(1).map((p, i) => ({ from: chain[i]!, to: p }));
  }
  if (opts.precise) for (const e of edges) e.hits = findHashHits(realPathOf(ctx, e.from), storePathHashPart(e.to));
  return { depends: true, chain, edges };
}

/** Files under `root` whose contents (or symlink target) mention `hashPart`. */
function findHashHits(root: string, hashPart: string): WhyDependsHit[] {
  const hits: WhyDependsHit[] = [];
  const walk = (p: string, rel: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name), rel ? `${rel}/${name}` : name);
    } else if (st.isSymbolicLink()) {
      const t = fs.readlinkSync(p);
      if (t.includes(hashPart)) hits.push({ file: rel, excerpt: t });
    } else if (st.isFile()) {
      const data = fs.readFileSync(p);
      const i = data.indexOf(hashPart, 0, 'latin1');
      if (i >= 0) {
        const excerpt = data.subarray(Math.max(0, i - 20), i + hashPart.length + 20).toString('latin1');
        hits.push({ file: rel, excerpt: excerpt.replace(/[^\x20-\x7e]/g, '.') });
      }
    }
  };
  walk(root, '');
  return hits;
}
