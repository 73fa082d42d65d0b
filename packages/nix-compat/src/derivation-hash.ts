/** hashDerivationModulo and the output/drv path computations of derivationStrict. */
import { MError } from '@m/core';
import {
  type Derivation,
  type DerivationOutput,
  cloneDerivation,
  derivationReferences,
  isFixedOutput,
} from './derivation';
import {
  type ByteSink,
  type PrintedTail,
  createChunkCollector,
  streamDerivation,
  streamDerivationFromTail,
  streamDerivationWithReplacements,
  streamMaskedDerivation,
} from './derivation-print';
import { base16Encode } from './encoding';
import { type Hash, createHashSink, hashBytes, parseHash, parseHashType } from './hash';
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

/** `fixed:out:<[r:]algo>:<hex>:<outPath>`'s sha256: the hash modulo of a fixed-output derivation. */
function fixedOutputHashModulo(drv: Derivation, opts: DerivationHashOptions): Hash {
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

/** inputDrvs with each drv path replaced by its hash modulo (outputs merged when hashes coincide). */
function replacedInputDrvs(drv: Derivation, lookupInputDrvHash: InputDrvHashLookup): Map<string, Set<string>> {
  const replaced = new Map<string, Set<string>>();
  for (const [drvPath, outs] of drv.inputDrvs) {
    const h = lookupInputDrvHash(drvPath);
    let set = replaced.get(h);
    if (!set) replaced.set(h, (set = new Set()));
    for (const o of outs) set.add(o);
  }
  return replaced;
}

/**
 * Nix's hashDerivationModulo (sha256). Fixed-output derivations hash to
 * sha256("fixed:out:<[r:]algo>:<hex>:<outPath>"), which hides their inputs; otherwise each
 * inputDrvs key is replaced by the lookup's hex hash and the resulting ATerm is hashed, streamed
 * into the hash without building its text. All outputs of a derivation share this hash.
 */
export function hashDerivationModulo(
  drv: Derivation,
  lookupInputDrvHash: InputDrvHashLookup,
  opts: DerivationHashOptions = {},
): Hash {
  if (checkFixedShape(drv)) return fixedOutputHashModulo(drv, opts);
  const h = createHashSink('sha256');
  streamDerivation(drv, h.update, {
    maskOutputs: opts.maskOutputs,
    inputDrvReplacements: replacedInputDrvs(drv, lookupInputDrvHash),
  });
  return h.finish().hash;
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
  const name = drvNameOf(drvWithoutOutputPaths, opts.name);
  const storeDir = opts.storeDir ?? DEFAULT_STORE_DIR;
  if (checkFixedShape(drvWithoutOutputPaths)) {
    const drv = cloneDerivation(drvWithoutOutputPaths);
    const o = drv.outputs.get('out')!;
    const { method, hash } = fixedOutputHash(o);
    const path = makeFixedOutputPath({ method, hash, name, storeDir });
    drv.outputs.set('out', { path, hashAlgo: `${method === 'recursive' ? 'r:' : ''}${hash.type}`, hash: base16Encode(hash.bytes) });
    drv.env.set('out', path);
    return drv;
  }
  const blank = blankOutputs(drvWithoutOutputPaths);
  const h = hashDerivationModulo(blank, lookupInputDrvHash, { maskOutputs: true, storeDir });
  fillOutputPaths(blank, h, name, storeDir);
  return blank;
}

/** A copy of a derivation that is not fixed-output with its output paths and their env values blank. */
function blankOutputs(drvIn: Derivation): Derivation {
  const drv = cloneDerivation(drvIn);
  for (const [outName, o] of drv.outputs) {
    if (o.hashAlgo !== '') throw new MError('NOT_AVAILABLE', 'content-addressed derivations are not supported');
    drv.outputs.set(outName, { path: '', hashAlgo: '', hash: '' });
    drv.env.set(outName, '');
  }
  return drv;
}

/** Sets every output's path (and env value) from the masked hash modulo `h`. */
function fillOutputPaths(drv: Derivation, h: Hash, name: string, storeDir: string): void {
  for (const outName of drv.outputs.keys()) {
    const path = makeOutputPath(h, outName, name, storeDir);
    drv.outputs.set(outName, { path, hashAlgo: '', hash: '' });
    drv.env.set(outName, path);
  }
}

/** sha256 of the ATerm of `drv`, streamed. */
function atermHash(drv: Derivation): Hash {
  const h = createHashSink('sha256');
  streamDerivation(drv, h.update);
  return h.finish().hash;
}

/** The .drv store path: makeTextPath("<name>.drv", sha256(ATerm), inputSrcs ∪ inputDrvs keys). */
export function derivationStorePath(drv: Derivation, name: string, storeDir: string = DEFAULT_STORE_DIR): string {
  return makeTextPath(name + DRV_EXTENSION, atermHash(drv), derivationReferences(drv), storeDir);
}

export interface InstantiateOptions extends OutputPathOptions {
  /** Keep the .drv file's bytes (`aterm`); without it the ATerm is only streamed into hashes. */
  keepAterm?: boolean;
}

export interface InstantiatedDerivation {
  drv: Derivation;
  /** The bytes to write to drvPath, in order (only with `keepAterm`). */
  aterm?: Uint8Array[];
  drvPath: string;
  /** Output name → output path. */
  outputPaths: Map<string, string>;
  /** base16 hash modulo (unmasked), to return from later InputDrvHashLookup calls for drvPath. */
  hashModulo: string;
}

/**
 * Bytes of a derivation's printed tail (after inputDrvs) kept between its masked print and its full
 * print, so that its strings are escaped once; a larger tail (a multi-megabyte env string) is
 * escaped again instead, which costs less than the memory of a second copy.
 */
const TAIL_KEEP_MAX = 1024 * 1024;

/**
 * computeDerivationOutputPaths + drv path + the unmasked hash modulo, as derivationStrict records.
 * The masked print (for the output paths; none for fixed outputs) escapes the strings; the second
 * pass, which feeds the drv path's hash, the kept bytes and the unmasked hash modulo, replays its
 * tail (up to TAIL_KEEP_MAX) with the output paths filled in. The inputDrvs replacements are
 * looked up once.
 */
export function instantiateDerivation(
  drvWithoutOutputPaths: Derivation,
  lookupInputDrvHash: InputDrvHashLookup,
  opts: InstantiateOptions = {},
): InstantiatedDerivation {
  const storeDir = opts.storeDir ?? DEFAULT_STORE_DIR;
  const name = drvNameOf(drvWithoutOutputPaths, opts.name);
  const fixed = checkFixedShape(drvWithoutOutputPaths);
  let drv: Derivation;
  let tail: PrintedTail | undefined;
  let replacements: Map<string, Set<string>> | undefined;
  if (fixed) drv = computeDerivationOutputPaths(drvWithoutOutputPaths, lookupInputDrvHash, opts);
  else {
    drv = blankOutputs(drvWithoutOutputPaths);
    replacements = replacedInputDrvs(drv, lookupInputDrvHash);
    const masked = createHashSink('sha256');
    tail = streamMaskedDerivation(drv, replacements, masked.update, TAIL_KEEP_MAX);
    fillOutputPaths(drv, masked.finish().hash, name, storeDir);
  }
  const drvHash = createHashSink('sha256');
  const kept = opts.keepAterm ? createChunkCollector() : undefined;
  const sink: ByteSink = kept
    ? (chunk, stable) => {
        drvHash.update(chunk);
        kept.sink(chunk, stable);
      }
    : drvHash.update;
  let hashModulo: Hash | undefined;
  if (fixed) {
    hashModulo = fixedOutputHashModulo(drv, { name, storeDir });
    streamDerivation(drv, sink);
  } else if (drv.inputDrvs.size === 0) {
    // Nothing to replace: the hash modulo is the hash of the ATerm itself.
    if (tail !== undefined) streamDerivationFromTail(drv, sink, tail);
    else streamDerivation(drv, sink);
  } else {
    const modulo = createHashSink('sha256');
    if (tail !== undefined) streamDerivationFromTail(drv, sink, tail, { replacements: replacements!, sink: modulo.update });
    else streamDerivationWithReplacements(drv, sink, replacements!, modulo.update);
    hashModulo = modulo.finish().hash;
  }
  const hash = drvHash.finish().hash;
  const drvPath = makeTextPath(name + DRV_EXTENSION, hash, derivationReferences(drv), storeDir);
  const outputPaths = new Map([...drv.outputs].map(([k, v]) => [k, v.path]));
  return { drv, aterm: kept?.chunks, drvPath, outputPaths, hashModulo: base16Encode((hashModulo ?? hash).bytes) };
}
