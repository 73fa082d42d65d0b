/**
 * Nix 2.8's output checks (LocalDerivationGoal::checkOutputs), applied to freshly built outputs
 * after the build and before registration. Without structured attributes the derivation's
 * `allowedReferences`, `allowedRequisites`, `disallowedReferences` and `disallowedRequisites`
 * environment variables (whitespace-separated) apply to every output, and an output's own path
 * is ignored in its requisites (not in its references). With `__structuredAttrs` only
 * `outputChecks.<output>.{allowedReferences, allowedRequisites, disallowedReferences,
 * disallowedRequisites, maxSize, maxClosureSize}` apply, self references included.
 *
 * A list element is a store path or the name of one of the outputs being registered; anything
 * else is an error, as in Nix.
 */
import { MError } from '@m/core';
import { type Derivation, parseStorePath, sortedUtf8 } from '@m/nix-compat';
import { hashPath } from '@m/store';

/** One output about to be registered. */
export interface BuiltOutput {
  /** Logical store path. */
  path: string;
  /** Logical store paths it refers to (its own path included when it refers to itself). */
  references: string[];
  /** Where its contents are now (for the NAR size, computed only when a size limit is set). */
  physical: string;
}

export interface OutputCheckStore {
  storeDir: string;
  /** narSize and references of a valid path; undefined when it is not valid. */
  queryPathInfo(p: string): { narSize: number; references: string[] } | undefined;
}

interface Checks {
  ignoreSelfRefs: boolean;
  maxSize?: number;
  maxClosureSize?: number;
  allowedReferences?: string[];
  allowedRequisites?: string[];
  disallowedReferences?: string[];
  disallowedRequisites?: string[];
}

const LIST_ATTRS = ['allowedReferences', 'allowedRequisites', 'disallowedReferences', 'disallowedRequisites'] as const;

function buildError(message: string): MError {
  return new MError('BUILD_FAILED', message);
}

/** Nix's tokenizeString with its default separators. */
function tokens(s: string): string[] {
  return s.split(/[ \t\n\r]+/).filter((t) => t !== '');
}

/** What nlohmann::json's get<uint64_t>() yields, or its type error. */
function jsonUint(v: unknown): number {
  if (typeof v === 'number') return v < 0 ? 2 ** 64 + Math.trunc(v) : Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : 'string';
  throw buildError(`[json.exception.type_error.302] type must be number, but is ${type}`);
}

/** The elements nlohmann::json iterates over: an array's items, an object's values, or the value itself. */
function jsonItems(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null) return [];
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>);
  return [v];
}

/** The checks for `outputName`, or undefined when none apply. */
function checksFor(drvPath: string, drv: Derivation, outputName: string): Checks | undefined {
  const json = drv.env.get('__json');
  if (json === undefined) {
    const c: Checks = { ignoreSelfRefs: true };
    for (const a of LIST_ATTRS) {
      const v = drv.env.get(a);
      if (v !== undefined) c[a] = tokens(v);
    }
    return c;
  }
  let attrs: unknown;
  try {
    attrs = JSON.parse(json);
  } catch (e) {
    throw buildError(`cannot process __json attribute of '${drvPath.slice(drvPath.lastIndexOf('/') + 1)}': ${(e as Error).message}`);
  }
  const all = (attrs as Record<string, unknown> | null)?.outputChecks;
  if (all === null || typeof all !== 'object' || Array.isArray(all)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(all, outputName)) return undefined;
  const o = (all as Record<string, unknown>)[outputName];
  const c: Checks = { ignoreSelfRefs: false };
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return c;
  const spec = o as Record<string, unknown>;
  if ('maxSize' in spec) c.maxSize = jsonUint(spec.maxSize);
  if ('maxClosureSize' in spec) c.maxClosureSize = jsonUint(spec.maxClosureSize);
  for (const a of LIST_ATTRS) {
    if (!(a in spec)) continue;
    c[a] = jsonItems(spec[a]).map((x) => {
      if (typeof x !== 'string') throw buildError(`attribute '${a}' of derivation '${drvPath}' must be a list of strings`);
      return x;
    });
  }
  return c;
}

/**
 * Throws MError('BUILD_FAILED') with Nix's message when an output breaks a check. `outputs` are
 * the outputs being registered now (already valid ones are not checked, as in Nix).
 */
export function checkOutputs(
  store: OutputCheckStore,
  drvPath: string,
  drv: Derivation,
  outputs: ReadonlyMap<string, BuiltOutput>,
): void {
  const byPath = new Map([...outputs.values()].map((o) => [o.path, o]));
  const narSizes = new Map<string, number>();
  const narSizeOf = (o: BuiltOutput): number => {
    let n = narSizes.get(o.path);
    if (n === undefined) narSizes.set(o.path, (n = hashPath(o.physical).narSize));
    return n;
  };
  /** The closure of `start` (itself included) and the sum of its NAR sizes. */
  const closureOf = (start: string, withSize: boolean): { paths: Set<string>; size: number } => {
    const paths = new Set<string>();
    const queue = [start];
    let size = 0;
    while (queue.length > 0) {
      const p = queue.shift()!;
      if (paths.has(p)) continue;
      paths.add(p);
      const own = byPath.get(p);
      if (own) {
        if (withSize) size += narSizeOf(own);
        queue.push(...own.references);
        continue;
      }
      const info = store.queryPathInfo(p);
      if (info === undefined) throw new MError('STORE_ERROR', `path '${p}' is not valid`);
      size += info.narSize;
      queue.push(...info.references);
    }
    return { paths, size };
  };

  for (const name of sortedUtf8(outputs.keys())) {
    const out = outputs.get(name)!;
    const checks = checksFor(drvPath, drv, name);
    if (checks === undefined) continue;

    if (checks.maxSize !== undefined && narSizeOf(out) > checks.maxSize)
      throw buildError(`path '${out.path}' is too large at ${narSizeOf(out)} bytes; limit is ${checks.maxSize} bytes`);
    if (checks.maxClosureSize !== undefined) {
      const size = closureOf(out.path, true).size;
      if (size > checks.maxClosureSize)
        throw buildError(`closure of path '${out.path}' is too large at ${size} bytes; limit is ${checks.maxClosureSize} bytes`);
    }

    const checkRefs = (value: string[] | undefined, allowed: boolean, recursive: boolean): void => {
      if (value === undefined) return;
      const spec = new Set<string>();
      for (const item of value) {
        const sp = storePathOf(item, store.storeDir);
        if (sp !== undefined) spec.add(sp);
        else if (outputs.has(item)) spec.add(outputs.get(item)!.path);
        else throw buildError(`derivation contains an illegal reference specifier '${item}'`);
      }
      const used = recursive ? closureOf(out.path, false).paths : new Set(out.references);
      if (recursive && checks.ignoreSelfRefs) used.delete(out.path);
      const bad = sortedUtf8([...used].filter((p) => spec.has(p) !== allowed));
      if (bad.length > 0)
        throw buildError(`output '${out.path}' is not allowed to refer to the following paths:${bad.map((p) => `\n  ${p}`).join('')}`);
    };
    checkRefs(checks.allowedReferences, true, false);
    checkRefs(checks.allowedRequisites, true, true);
    checkRefs(checks.disallowedReferences, false, false);
    checkRefs(checks.disallowedRequisites, false, true);
  }
}

/** The canonical store path `s` names (Nix's isStorePath + parseStorePath), or undefined. */
function storePathOf(s: string, storeDir: string): string | undefined {
  if (!s.startsWith('/')) return undefined;
  try {
    return `${storeDir}/${parseStorePath(s, storeDir).baseName}`;
  } catch {
    return undefined;
  }
}
