/**
 * Per-evaluator store knowledge shared by the derivation, context and file builtins:
 * the derivations instantiated or read so far, their hashes modulo (Nix's `drvHashes`), the
 * references of store objects this evaluator created, and conversions between @m/nix-compat's
 * Derivation and the EvalIO DerivationData.
 */
import { MError } from '@m/core';
import { hashDerivationModuloHex, isDerivationPath, type Derivation } from '@m/nix-compat';
import type { DerivationData } from '../io';
import type { EvalState } from '../state';

export interface StoreState {
  /** drv path → derivation (written or read by this evaluator). */
  readonly drvs: Map<string, Derivation>;
  /** drv path → base16 sha256 hash modulo (unmasked). */
  readonly drvHashes: Map<string, string>;
  /** store path → its references, for store objects this evaluator added (text files, .drv). */
  readonly references: Map<string, readonly string[]>;
}

const KEY = 'store-builtins';

export function storeState(ctx: EvalState): StoreState {
  let s = ctx.extra.get(KEY) as StoreState | undefined;
  if (s === undefined) {
    s = { drvs: new Map(), drvHashes: new Map(), references: new Map() };
    ctx.extra.set(KEY, s);
  }
  return s;
}

export function toDerivationData(name: string, drv: Derivation): DerivationData {
  return {
    name,
    outputs: new Map([...drv.outputs].map(([k, o]) => [k, { path: o.path, hashAlgo: o.hashAlgo, hash: o.hash }])),
    inputDrvs: new Map([...drv.inputDrvs].map(([k, outs]) => [k, [...outs]])),
    inputSrcs: [...drv.inputSrcs],
    platform: drv.platform,
    builder: drv.builder,
    args: [...drv.args],
    env: new Map(drv.env),
  };
}

export function fromDerivationData(d: DerivationData): Derivation {
  return {
    outputs: new Map([...d.outputs].map(([k, o]) => [k, { path: o.path, hashAlgo: o.hashAlgo, hash: o.hash }])),
    inputDrvs: new Map([...d.inputDrvs].map(([k, outs]) => [k, new Set(outs)])),
    inputSrcs: new Set(d.inputSrcs),
    platform: d.platform,
    builder: d.builder,
    args: [...d.args],
    env: new Map(d.env),
  };
}

/** The derivation stored at `drvPath` (from the cache, else read through EvalIO). */
export function readDerivation(ctx: EvalState, drvPath: string): Derivation {
  const s = storeState(ctx);
  const hit = s.drvs.get(drvPath);
  if (hit !== undefined) return hit;
  let drv: Derivation;
  try {
    drv = fromDerivationData(ctx.io.readDerivation(drvPath));
  } catch (e) {
    if (e instanceof MError) throw e;
    throw new MError('STORE_ERROR', `path '${drvPath}' is not valid`);
  }
  s.drvs.set(drvPath, drv);
  return drv;
}

/** Nix's hashDerivationModulo(drv, maskOutputs = false) of a stored derivation, cached. */
export function drvHashModulo(ctx: EvalState, drvPath: string): string {
  const s = storeState(ctx);
  const hit = s.drvHashes.get(drvPath);
  if (hit !== undefined) return hit;
  const drv = readDerivation(ctx, drvPath);
  const name = drvPath.slice(drvPath.lastIndexOf('/') + 1 + 33, -'.drv'.length);
  const h = hashDerivationModuloHex(drv, (p) => drvHashModulo(ctx, p), { name, storeDir: ctx.storeDir });
  s.drvHashes.set(drvPath, h);
  return h;
}

/** References of a store path: a derivation's inputs, or what this evaluator recorded. */
export function referencesOf(ctx: EvalState, storePath: string): readonly string[] {
  const known = storeState(ctx).references.get(storePath);
  if (known !== undefined) return known;
  if (isDerivationPath(storePath)) {
    const drv = readDerivation(ctx, storePath);
    return [...drv.inputSrcs, ...drv.inputDrvs.keys()];
  }
  return [];
}

/** Nix's computeFSClosure: the path and everything it references, transitively. */
export function storeClosure(ctx: EvalState, storePath: string): Set<string> {
  const seen = new Set<string>();
  const todo = [storePath];
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    for (const r of referencesOf(ctx, p)) if (!seen.has(r)) todo.push(r);
  }
  return seen;
}

/** The store path (`<storeDir>/<hash>-<name>`) containing `path`. */
export function toStorePath(ctx: EvalState, path: string): string {
  const rest = path.slice(ctx.storeDir.length + 1);
  const slash = rest.indexOf('/');
  return ctx.storeDir + '/' + (slash < 0 ? rest : rest.slice(0, slash));
}
