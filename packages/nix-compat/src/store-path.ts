/** Store path names, parsing, and the content/input-addressed path computations of Nix's store-api. */
import { MError } from '@m/core';
import { sortedUtf8 } from './bytes';
import { nixBase32Encode } from './encoding';
import { type Hash, type HashType, compressHash, hashBytes, parseHash, printHash } from './hash';

export const DEFAULT_STORE_DIR = '/nix/store';
/** Length of the nixbase32 hash part of a store path's base name. */
export const STORE_PATH_HASH_LEN = 32;
export const MAX_STORE_PATH_NAME_LEN = 211;
export const DRV_EXTENSION = '.drv';

function storeError(msg: string): MError {
  return new MError('STORE_ERROR', msg);
}

function isNameChar(c: string): boolean {
  return /^[0-9a-zA-Z+\-._?=]$/.test(c);
}

/** Returns Nix's complaint about `name` as the name part of store path `path`, or undefined. */
export function storePathNameError(name: string, path: string = name): string | undefined {
  if (name.length === 0) return `store path '${path}' has an empty name`;
  if (name.length > MAX_STORE_PATH_NAME_LEN)
    return `store path '${path}' has a name longer than ${MAX_STORE_PATH_NAME_LEN} characters`;
  for (const c of name) if (!isNameChar(c)) return `store path '${path}' contains illegal character '${c}'`;
  return undefined;
}

/** Throws MError('STORE_ERROR') unless `name` is a valid store path name. */
export function checkStorePathName(name: string, path: string = name): void {
  const e = storePathNameError(name, path);
  if (e !== undefined) throw storeError(e);
}

export function isValidStorePathName(name: string): boolean {
  return storePathNameError(name) === undefined;
}

export interface StorePath {
  /** The 32-character nixbase32 hash part. */
  hashPart: string;
  name: string;
  /** `<hashPart>-<name>` */
  baseName: string;
}

/** Validates a base name `<hash>-<name>` (Nix's StorePath constructor). */
export function parseStorePathBaseName(baseName: string): StorePath {
  if (baseName.length < STORE_PATH_HASH_LEN + 1)
    throw storeError(`'${baseName}' is too short to be a valid store path`);
  const hashPart = baseName.slice(0, STORE_PATH_HASH_LEN);
  for (const c of hashPart)
    if (c === 'e' || c === 'o' || c === 'u' || c === 't' || !/^[0-9a-z]$/.test(c))
      throw storeError(`store path '${baseName}' contains illegal base-32 character '${c}'`);
  const name = baseName.slice(STORE_PATH_HASH_LEN + 1);
  checkStorePathName(name, baseName);
  return { hashPart, name, baseName };
}

/** Lexically canonicalises an absolute path: collapses '//', '.', '..'; drops a trailing '/'. */
export function canonPathLexical(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** Parses an absolute store path; throws "path '…' is not in the Nix store" and name errors. */
export function parseStorePath(path: string, storeDir: string = DEFAULT_STORE_DIR): StorePath {
  const p = canonPathLexical(path);
  const slash = p.lastIndexOf('/');
  const dir = slash === 0 ? '/' : p.slice(0, slash);
  if (dir !== storeDir) throw storeError(`path '${p}' is not in the Nix store`);
  return parseStorePathBaseName(p.slice(slash + 1));
}

export function isStorePath(path: string, storeDir: string = DEFAULT_STORE_DIR): boolean {
  try {
    parseStorePath(path, storeDir);
    return true;
  } catch {
    return false;
  }
}

/** The hash part of a store path (absolute path or base name), without validation. */
export function storePathHashPart(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.slice(0, STORE_PATH_HASH_LEN);
}

/** The name part of a store path (absolute path or base name), without validation. */
export function storePathName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.slice(STORE_PATH_HASH_LEN + 1);
}

export function isDerivationPath(path: string): boolean {
  return path.endsWith(DRV_EXTENSION);
}

/**
 * Nix's makeStorePath: `<storeDir>/<nixbase32(compress20(sha256("<type>:<hash>:<storeDir>:<name>")))>-<name>`.
 * `hash` is either a Hash (printed as `<algo>:<base16>`) or an already-rendered string such as
 * "sha256:<hex>"; a bare 64-character hex string is taken as sha256.
 */
export function makeStorePath(
  type: string,
  hash: Hash | string | Uint8Array,
  name: string,
  storeDir: string = DEFAULT_STORE_DIR,
): string {
  let rendered: string;
  if (typeof hash === 'string') rendered = /^[0-9a-f]{64}$/.test(hash) ? `sha256:${hash}` : hash;
  else if (hash instanceof Uint8Array) rendered = printHash({ type: 'sha256', bytes: hash }, 'base16', true);
  else rendered = printHash(hash, 'base16', true);
  const s = `${type}:${rendered}:${storeDir}:${name}`;
  const baseName = `${nixBase32Encode(compressHash(hashBytes('sha256', s).bytes, 20))}-${name}`;
  checkStorePathName(name, baseName);
  return `${storeDir}/${baseName}`;
}

/** `drvName`, plus `-<output>` unless the output is "out". */
export function outputPathName(drvName: string, outputName: string): string {
  return outputName === 'out' ? drvName : `${drvName}-${outputName}`;
}

/** Path of an input-addressed output, from the derivation's sha256 hash modulo (Hash, bytes or hex). */
export function makeOutputPath(
  drvHashModulo: Hash | string | Uint8Array,
  outputName: string,
  drvName: string,
  storeDir: string = DEFAULT_STORE_DIR,
): string {
  return makeStorePath(`output:${outputName}`, drvHashModulo, outputPathName(drvName, outputName), storeDir);
}

function makeType(type: string, references: Iterable<string>, hasSelfReference: boolean): string {
  let t = type;
  for (const r of sortedUtf8(references)) t += ':' + r;
  if (hasSelfReference) t += ':self';
  return t;
}

export type FileIngestionMethod = 'flat' | 'recursive';

/** "" for flat, "r:" for recursive. */
export function fileIngestionPrefix(method: FileIngestionMethod): string {
  return method === 'recursive' ? 'r:' : '';
}

export interface FixedOutputPathArgs {
  method: FileIngestionMethod;
  /**
   * The content hash (NAR hash for recursive, file hash for flat): a Hash, raw bytes, or any
   * string form parseHash accepts; `hashType` is required for bytes and bare strings.
   */
  hash: Hash | Uint8Array | string;
  hashType?: HashType;
  name: string;
  /** Absolute store paths referenced (only allowed for recursive sha256). */
  references?: Iterable<string>;
  hasSelfReference?: boolean;
  storeDir?: string;
}

/** Nix's makeFixedOutputPath: "source" type for recursive sha256, else the `fixed:out:` indirection. */
function toHash(hash: Hash | Uint8Array | string, type: HashType | undefined): Hash {
  if (typeof hash === 'string') return parseHash(hash, type);
  if (hash instanceof Uint8Array) {
    if (!type) throw new MError('INTERNAL', 'a hash type is required for raw hash bytes');
    return { type, bytes: hash };
  }
  return hash;
}

export function makeFixedOutputPath(args: FixedOutputPathArgs): string {
  const storeDir = args.storeDir ?? DEFAULT_STORE_DIR;
  const hash = toHash(args.hash, args.hashType);
  const refs = [...(args.references ?? [])];
  if (hash.type === 'sha256' && args.method === 'recursive')
    return makeStorePath(makeType('source', refs, args.hasSelfReference ?? false), hash, args.name, storeDir);
  if (refs.length > 0 || args.hasSelfReference)
    throw new MError('STORE_ERROR', `fixed-output path '${args.name}' cannot have references unless it is recursive sha256`);
  const inner = hashBytes(
    'sha256',
    `fixed:out:${fileIngestionPrefix(args.method)}${printHash(hash, 'base16', true)}:`,
  );
  return makeStorePath('output:out', inner, args.name, storeDir);
}

/** Nix's makeTextPath: `hash` is the sha256 of the text (Hash, bytes, or hex). */
export function makeTextPath(
  name: string,
  hash: Hash | Uint8Array | string,
  references: Iterable<string> = [],
  storeDir: string = DEFAULT_STORE_DIR,
): string {
  if (typeof hash === 'object' && !(hash instanceof Uint8Array) && hash.type !== 'sha256')
    throw new MError('INTERNAL', 'makeTextPath requires a sha256 hash');
  return makeStorePath(makeType('text', references, false), hash, name, storeDir);
}

/** Path of a text file added to the store (builtins.toFile, .drv files). */
export function computeStorePathForText(
  name: string,
  text: string | Uint8Array,
  references: Iterable<string> = [],
  storeDir: string = DEFAULT_STORE_DIR,
): string {
  return makeTextPath(name, hashBytes('sha256', text), references, storeDir);
}

