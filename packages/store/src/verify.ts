/** Store verification (like `nix-store --verify [--check-contents] [--repair]`). */
import * as fs from 'node:fs';
import { MError } from '@m/core';
import { type Ctx, printNarHash, realPathOf, toStorePathOpt } from './context';
import type { PathRow } from './db';
import { hashPath } from './fs-nar-source';
import { canonicalise, nonCanonicalEntries } from './fs-tree';
import { META_DIR } from './layout';
import { rebuildMarker } from './db-check';
import { rebuildValidity } from './rebuild';

export interface VerifyOptions {
  /** Re-hash every valid path's NAR serialisation and compare with the database. */
  checkContents?: boolean;
  /**
   * Fix what can be fixed without a substituter: missing paths nobody refers to are invalidated,
   * non-canonical metadata is re-canonicalised. Modified contents cannot be restored (reported).
   * On a store opened with `rebuildDatabase` after the database was lost, validity is first
   * rebuilt from the store's contents (rebuild.ts).
   */
  repair?: boolean;
}

export interface CorruptPath {
  path: string;
  expected: string;
  actual: string;
}

export interface VerifyResult {
  /** Valid paths absent from disk. */
  missing: string[];
  /** Valid paths whose NAR hash differs from the database (checkContents). */
  corrupt: CorruptPath[];
  /** Valid paths with non-canonical permissions or mtimes (checkContents). */
  notCanonical: string[];
  /** With repair: missing paths that were removed from the database. */
  invalidated: string[];
  /** With repair: paths whose metadata was re-canonicalised. */
  repaired: string[];
  /** With repair after database loss: paths made valid again from the store's contents. */
  rebuilt: string[];
  /** Entries on disk that are not valid (garbage; gc deletes them). */
  invalidOnDisk: string[];
  /** No missing or corrupt paths remain. */
  ok: boolean;
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function verify(ctx: Ctx, opts: VerifyOptions = {}): VerifyResult {
  const { q } = ctx.db;
  const res: VerifyResult = {
    missing: [],
    corrupt: [],
    notCanonical: [],
    invalidated: [],
    repaired: [],
    rebuilt: [],
    invalidOnDisk: [],
    ok: true,
  };
  if (ctx.rebuildPending) {
    if (!opts.repair) throw new MError('STORE_ERROR', `the store database '${ctx.layout.dbFile}' must be rebuilt: use --repair`);
    res.rebuilt = rebuildValidity(ctx);
    fs.rmSync(rebuildMarker(ctx.layout), { force: true });
    ctx.rebuildPending = false;
  }
  const paths = q.allPaths.all() as string[];
  for (const p of paths) {
    const real = realPathOf(ctx, p);
    if (!exists(real)) {
      res.missing.push(p);
      continue;
    }
    if (!opts.checkContents) continue;
    const row = q.pathRow.get(p) as PathRow | undefined;
    if (!row) continue; // deleted concurrently
    const actual = printNarHash(hashPath(real).hash);
    if (actual !== row.narHash) res.corrupt.push({ path: p, expected: row.narHash, actual });
    if (nonCanonicalEntries(real).length) {
      res.notCanonical.push(p);
      if (opts.repair) {
        canonicalise(real);
        res.repaired.push(p);
      }
    }
  }

  if (opts.repair && res.missing.length) {
    // Invalidate missing paths whose referrers are all missing too (or themselves).
    const missing = new Set(res.missing);
    ctx.db.write(() => {
      const removable = new Set(res.missing);
      let changed = true;
      while (changed) {
        changed = false;
        for (const p of removable)
          if ((q.referrersOf.all(p) as string[]).some((r) => r !== p && !removable.has(r))) {
            removable.delete(p);
            changed = true;
          }
      }
      for (const p of removable) q.deletePath.run(p);
      res.invalidated = [...removable].sort();
    });
    res.missing = [...missing].filter((p) => !res.invalidated.includes(p));
  }

  const valid = new Set(q.allPaths.all() as string[]);
  for (const name of fs.readdirSync(ctx.layout.root)) {
    if (name === META_DIR) continue;
    const sp = toStorePathOpt(ctx, `${ctx.storeDir}/${name}`);
    if (sp && !valid.has(sp)) res.invalidOnDisk.push(sp);
  }
  res.invalidOnDisk.sort();
  res.ok = res.missing.length === 0 && res.corrupt.length === 0;
  return res;
}
