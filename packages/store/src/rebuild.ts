/**
 * Rebuilding validity from the store's contents (`m store verify --repair` after the database was
 * lost or damaged). Every `<hash>-<name>` entry in the store root is complete (writes are staged in
 * `.m/tmp` and renamed in), so each becomes valid again with:
 *   - its NAR hash and size, recomputed;
 *   - its references: for `.drv` files the derivation's inputs (as when it was written), for
 *     fixed-output (content-addressed source) paths none, for anything else the entries whose
 *     hash part occurs in its NAR serialisation (Nix's reference scan);
 *   - the derivation outputs of each `.drv`, and the deriver of outputs that have one;
 *   - its content address, when the path is one (text, fixed flat or recursive sha256).
 * All rows are written in one transaction.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import {
  createHashSink,
  derivationReferences,
  hashBytes,
  makeFixedOutputPath,
  makeTextPath,
  narEncode,
  parseDerivation,
  printHash,
  storePathHashPart,
  type Derivation,
  type Hash,
} from '@m/nix-compat';
import { type Ctx, printNarHash, storePathOfBase, toStorePathOpt } from './context';
import { registerInDb } from './add';
import { fsNarSource, readFileChunks } from './fs-nar-source';
import { META_DIR } from './layout';

/** Nix's base-32 alphabet: a hash part is 32 of these. */
const BASE32_RUN = /[0-9a-df-np-sv-z]{32,}/g;

/** Streams `chunks` and collects the members of `hashParts` that occur in them. */
export function scanForHashes(chunks: Iterable<Uint8Array>, hashParts: Set<string>): Set<string> {
  const found = new Set<string>();
  let carry = '';
  for (const chunk of chunks) {
    const text = carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    for (const m of text.matchAll(BASE32_RUN)) {
      const run = m[0];
      for (let i = 0; i + 32 <= run.length; i++) {
        const h = run.slice(i, i + 32);
        if (hashParts.has(h)) found.add(h);
      }
    }
    // A hash split across chunks has at most 31 characters in this one.
    carry = text.slice(Math.max(0, text.length - 31));
  }
  return found;
}

interface Entry {
  path: string;
  real: string;
  narHash: Hash;
  narSize: number;
  references: string[];
  deriver?: string;
  ca?: string;
  drvOutputs?: [string, string][];
}

/**
 * The content address of an entry, when its path is one. A fixed-output path has no references
 * (its name does not depend on any), so a match clears what the scan found; a text path's name
 * depends on its references, so the scanned ones must be exactly right for it to match.
 */
function contentAddress(e: Entry, name: string, storeDir: string, isFile: boolean): string | undefined {
  if (makeFixedOutputPath({ method: 'recursive', hash: e.narHash, name, storeDir }) === e.path) {
    e.references = [];
    return `fixed:r:${printHash(e.narHash, 'base32', true)}`;
  }
  if (!isFile) return undefined;
  const flat = hashBytes('sha256', readFileChunks(e.real));
  if (makeFixedOutputPath({ method: 'flat', hash: flat, name, storeDir }) === e.path) {
    e.references = [];
    return `fixed:${printHash(flat, 'base32', true)}`;
  }
  if (makeTextPath(name, flat, e.references, storeDir) === e.path) return `text:${printHash(flat, 'base32', true)}`;
  return undefined;
}

/** Registers every store entry on disk that the database does not know; returns them, sorted. */
export function rebuildValidity(ctx: Ctx): string[] {
  const { q } = ctx.db;
  const byHash = new Map<string, string>();
  for (const name of fs.readdirSync(ctx.layout.root)) {
    if (name === META_DIR) continue;
    const sp = toStorePathOpt(ctx, storePathOfBase(ctx, name));
    if (sp) byHash.set(storePathHashPart(sp), sp);
  }
  const hashParts = new Set(byHash.keys());
  const entries: Entry[] = [];
  const drvs = new Map<string, Derivation>();
  for (const sp of [...byHash.values()].sort()) {
    if (q.pathId.get(sp) !== undefined) continue;
    const base = path.basename(sp);
    const real = path.join(ctx.layout.root, base);
    const sink = createHashSink('sha256');
    const seen = scanForHashes(
      (function* () {
        for (const chunk of narEncode(real, fsNarSource())) {
          sink.update(chunk);
          yield chunk;
        }
      })(),
      hashParts,
    );
    const { hash, size } = sink.finish();
    const e: Entry = { path: sp, real, narHash: hash, narSize: size, references: [...seen].map((h) => byHash.get(h)!).sort() };
    const st = fs.lstatSync(real);
    if (sp.endsWith('.drv') && st.isFile()) {
      try {
        const drv = parseDerivation(fs.readFileSync(real, 'utf8'), { storeDir: ctx.storeDir });
        drvs.set(sp, drv);
        // A derivation references exactly its inputs (its own outputs' names are not references).
        e.references = [...derivationReferences(drv)].filter((r) => byHash.has(storePathHashPart(r))).sort();
        e.drvOutputs = [...drv.outputs].filter(([, o]) => o.path !== '').map(([n, o]) => [n, o.path]);
      } catch {
        /* not a derivation after all: keep the scanned references */
      }
    }
    e.ca = contentAddress(e, base.slice(33), ctx.storeDir, st.isFile());
    entries.push(e);
  }
  const derivers = new Map<string, string>();
  for (const [drvPath, drv] of [...drvs].sort(([a], [b]) => (a < b ? -1 : 1)))
    for (const o of drv.outputs.values()) if (o.path !== '' && !derivers.has(o.path)) derivers.set(o.path, drvPath);
  for (const e of entries) e.deriver = derivers.get(e.path);
  try {
    registerInDb(
      ctx,
      entries.map((e) => ({
        path: e.path,
        narHash: printNarHash(e.narHash),
        narSize: e.narSize,
        references: e.references,
        deriver: e.deriver,
        ca: e.ca,
        drvOutputs: e.drvOutputs,
      })),
    );
  } catch (e) {
    throw e instanceof MError ? e : new MError('STORE_ERROR', `rebuilding the store database: ${(e as Error).message}`, { cause: e });
  }
  return entries.map((e) => e.path);
}
