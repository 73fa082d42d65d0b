/** hashDerivationModulo and the output/drv path computations of derivationStrict. */
import { MError } from '@m/core';
import {
  type Derivation,
  type DerivationOutput,
  cloneDerivation,
  derivationReferences,
  isFixedOutput,
} from './derivation';
import { printDerivation } from './derivation-print';
import { base16Encode } from './encoding';
import { type Hash, hashBytes, parseHash, parseHashType } from './hash';
import {
  DEFAULT_STORE_DIR,
  DRV_EXTENSION,
  type FileIngestionMethod,
  makeFixedOutputPath,
  makeOutputPath,
  makeTextPath,
  outputPathName,
} from './store-path';

/** Returns the base16 sha256 hash modulo of an input derivation (maskOutputs = false). */
export type InputDrvHashLookup = (drvPath: string) => string;

export interface DerivationHashOptions {
  /** Blank output paths and output env vars before hashing (derivationStrict does this). */
  maskOutputs?: boolean;
  /** Derivation name; needed only for fixed outputs whose path is still "". */
  name?: string;
  storeDir?: string;
}

function evalError(msg: string): MError {
  return new MError('EVAL_ERROR', msg);
}

/** Method and parsed hash of a fixed output (accepts any hash encoding Nix accepts). */
export function fixedOutputHash(o: DerivationOutput): { method: FileIngestionMethod; hash: Hash } {
  const recursive = o.hashAlgo.startsWith('r:');
  const type = parseHashType(recursive ? o.hashAlgo.slice(2) : o.hashAlgo);
  return { method: recursive ? 'recursive' : 'flat', hash: parseHash(o.hash, type) };
}

function checkFixedShape(drv: Derivation): boolean {
  let fixed = 0;
  for (const o of drv.outputs.values()) if (isFixedOutput(o)) fixed++;
  if (drv.outputs.size === 0) throw evalError('must have at least one output');
  if (fixed === 0) return false;
  if (fixed !== drv.outputs.size) throw evalError("can't mix derivation output types");
  if (fixed > 1) throw evalError('only one fixed output is allowed for now');
  if (!drv.outputs.has('out')) throw evalError('single fixed output must be named "out"');
  return true;
}

function drvNameOf(drv: Derivation, name: string | undefined): string {
  const n = name ?? drv.env.get('name');
  if (n === undefined) throw evalError('derivation has no name');
  return n;
}

/**
 * Nix's hashDerivationModulo (sha256). Fixed-output derivations hash to
 * sha256("fixed:out:<[r:]algo>:<hex>:<outPath>"), which hides their inputs; otherwise each
 * inputDrvs key is replaced by the lookup's hex hash and the resulting ATerm is hashed.
 * All outputs of a derivation share this hash.
 */
export function hashDerivationModulo(
  drv: Derivation,
  lookupInputDrvHash: InputDrvHashLookup,
  opts: DerivationHashOptions = {},
): Hash {
  if (checkFixedShape(drv)) {
    const o = drv.outputs.get('out')!;
    const { method, hash } = fixedOutputHash(o);
    const path =
      o.path !== ''
        ? o.path
        : makeFixedOutputPath({
            method,
            hash,
            name: outputPathName(drvNameOf(drv, opts.name), 'out'),
            storeDir: opts.storeDir,
          });
    return hashBytes('sha256', `fixed:out:${o.hashAlgo}:${base16Encode(hash.bytes)}:${path}`);
  }
  const replaced = new Map<string, Set<string>>();
  for (const [drvPath, outs] of drv.inputDrvs) {
    const h = lookupInputDrvHash(drvPath);
    let set = replaced.get(h);
    if (!set) replaced.set(h, (set = new Set()));
    for (const o of outs) set.add(o);
  }
  const text = printDerivation(drv, { maskOutputs: opts.maskOutputs, inputDrvReplacements: replaced });
  return hashBytes('sha256', text);
}

export function hashDerivationModuloHex(
  drv: Derivation,
  lookupInputDrvHash: InputDrvHashLookup,
  opts: DerivationHashOptions = {},
): string {
  return base16Encode(hashDerivationModulo(drv, lookupInputDrvHash, opts).bytes);
}

export interface OutputPathOptions {
  /** Derivation name (default: env "name"). */
  name?: string;
  storeDir?: string;
}

/**
 * What derivationStrict does once the env is built: for a fixed-output derivation (output "out"
 * with hashAlgo and hash set, hash in any encoding), computes its path and normalises the hash to
 * base16; otherwise blanks all output paths and their env vars, hashes modulo (masked), and fills
 * in makeOutputPath for every output, in `outputs` and `env`. Returns a new Derivation.
 */
export function computeDerivationOutputPaths(
  drvWithoutOutputPaths: Derivation,
  lookupInputDrvHash: InputDrvHashLookup,
  opts: OutputPathOptions = {},
): Derivation {
  const drv = cloneDerivation(drvWithoutOutputPaths);
  const name = drvNameOf(drv, opts.name);
  const storeDir = opts.storeDir ?? DEFAULT_STORE_DIR;
  if (checkFixedShape(drv)) {
    const o = drv.outputs.get('out')!;
    const { method, hash } = fixedOutputHash(o);
    const path = makeFixedOutputPath({ method, hash, name, storeDir });
    drv.outputs.set('out', { path, hashAlgo: `${method === 'recursive' ? 'r:' : ''}${hash.type}`, hash: base16Encode(hash.bytes) });
    drv.env.set('out', path);
    return drv;
  }
  for (const [outName, o] of drv.outputs) {
    if (o.hashAlgo !== '') throw new MError('NOT_AVAILABLE', 'content-addressed derivations are not supported');
    drv.outputs.set(outName, { path: '', hashAlgo: '', hash: '' });
    drv.env.set(outName, '');
  }
  const h = hashDerivationModulo(drv, lookupInputDrvHash, { maskOutputs: true, storeDir });
  for (const outName of drv.outputs.keys()) {
    const path = makeOutputPath(h, outName, name, storeDir);
    drv.outputs.set(outName, { path, hashAlgo: '', hash: '' });
    drv.env.set(outName, path);
  }
  return drv;
}

/** The .drv store path: makeTextPath("<name>.drv", sha256(ATerm), inputSrcs ∪ inputDrvs keys). */
export function derivationStorePath(drv: Derivation, name: string, storeDir: string = DEFAULT_STORE_DIR): string {
  const text = printDerivation(drv);
  return makeTextPath(name + DRV_EXTENSION, hashBytes('sha256', text), derivationReferences(drv), storeDir);
}

export interface InstantiatedDerivation {
  drv: Derivation;
  /** The ATerm text to write to drvPath. */
  text: string;
  drvPath: string;
  /** Output name → output path. */
  outputPaths: Map<string, string>;
  /** base16 hash modulo (unmasked), to return from later InputDrvHashLookup calls for drvPath. */
  hashModulo: string;
}

/** computeDerivationOutputPaths + drv path + the unmasked hash modulo, as derivationStrict records. */
export function instantiateDerivation(
  drvWithoutOutputPaths: Derivation,
  lookupInputDrvHash: InputDrvHashLookup,
  opts: OutputPathOptions = {},
): InstantiatedDerivation {
  const storeDir = opts.storeDir ?? DEFAULT_STORE_DIR;
  const drv = computeDerivationOutputPaths(drvWithoutOutputPaths, lookupInputDrvHash, opts);
  const name = drvNameOf(drv, opts.name);
  const text = printDerivation(drv);
  const drvPath = makeTextPath(name + DRV_EXTENSION, hashBytes('sha256', text), derivationReferences(drv), storeDir);
  const outputPaths = new Map([...drv.outputs].map(([k, v]) => [k, v.path]));
  const hashModulo = hashDerivationModuloHex(drv, lookupInputDrvHash, { name, storeDir });
  return { drv, text, drvPath, outputPaths, hashModulo };
}
