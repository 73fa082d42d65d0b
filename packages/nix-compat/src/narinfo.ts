/**
 * Binary-cache metadata as Nix 2.8 writes and reads it: `<hash>.narinfo`, `nix-cache-info`, and
 * the fingerprint a path's signatures sign (libstore nar-info.cc, path-info.cc). Pure text.
 */
import { MError } from '@m/core';
import { parseHash, printHash } from './hash';
import { parseStorePath, parseStorePathBaseName } from './store-path';
import { sortedUtf8 } from './bytes';

export interface NarInfo {
  /** Full store path. */
  storePath: string;
  /** Location of the (compressed) NAR, relative to the cache root: `nar/<fileHash>.nar.xz`. */
  url: string;
  /** `xz`, `zstd`, `bzip2`, `none`, … (Nix reads a missing field as bzip2). */
  compression: string;
  /** "sha256:<nixbase32>" of the file at `url`. */
  fileHash?: string;
  fileSize?: number;
  /** "sha256:<nixbase32>" of the uncompressed NAR. */
  narHash: string;
  narSize: number;
  /** Full store paths, sorted. */
  references: string[];
  /** Full store path of the deriver. */
  deriver?: string;
  system?: string;
  /** `keyName:base64(signature)`. */
  sigs: string[];
  ca?: string;
}

function corrupt(what: string, why: string): MError {
  return new MError('STORE_ERROR', `NAR info file '${what}' is corrupt${why ? `: ${why}` : ''}`);
}

/**
 * Parses a `.narinfo` file; `whence` names it in errors. Rejects anything Nix would reject
 * (a missing StorePath, URL, NarHash or NarSize, malformed hashes or store paths).
 */
export function parseNarInfo(text: string, whence: string, storeDir = '/nix/store'): NarInfo {
  const fields = new Map<string, string>();
  const sigs: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const colon = line.indexOf(': ');
    if (colon <= 0) throw corrupt(whence, `bad line '${line}'`);
    const key = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (key === 'Sig') sigs.push(value);
    else fields.set(key, value);
  }
  const need = (k: string): string => {
    const v = fields.get(k);
    if (v === undefined || v === '') throw corrupt(whence, `missing ${k}`);
    return v;
  };
  const size = (k: string): number | undefined => {
    const v = fields.get(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw corrupt(whence, `bad ${k} '${v}'`);
    return Number(v);
  };
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw corrupt(whence, e instanceof Error ? e.message : String(e));
    }
  };
  const storePath = need('StorePath');
  wrap(() => parseStorePath(storePath, storeDir));
  const narHash = need('NarHash');
  wrap(() => parseHash(narHash));
  const narSize = size('NarSize');
  if (narSize === undefined || narSize === 0) throw corrupt(whence, 'missing NarSize');
  const fileHash = fields.get('FileHash');
  if (fileHash !== undefined) wrap(() => parseHash(fileHash));
  const refs = (fields.get('References') ?? '').split(' ').filter((r) => r !== '');
  const info: NarInfo = {
    storePath,
    url: need('URL'),
    compression: fields.get('Compression') || 'bzip2',
    narHash,
    narSize,
    references: sortedUtf8(refs.map((r) => wrap(() => `${storeDir}/${parseStorePathBaseName(r).baseName}`))),
    sigs,
  };
  if (fileHash !== undefined) info.fileHash = fileHash;
  const fileSize = size('FileSize');
  if (fileSize !== undefined) info.fileSize = fileSize;
  const deriver = fields.get('Deriver');
  if (deriver !== undefined && deriver !== '' && deriver !== 'unknown-deriver')
    info.deriver = `${storeDir}/${wrap(() => parseStorePathBaseName(deriver)).baseName}`;
  const system = fields.get('System');
  if (system !== undefined) info.system = system;
  const ca = fields.get('CA');
  if (ca !== undefined && ca !== '') info.ca = ca;
  return info;
}

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** The text Nix writes for `info` (field order of NarInfo::to_string). */
export function printNarInfo(info: NarInfo): string {
  let s = `StorePath: ${info.storePath}\nURL: ${info.url}\nCompression: ${info.compression}\n`;
  if (info.fileHash !== undefined) s += `FileHash: ${info.fileHash}\n`;
  if (info.fileSize !== undefined) s += `FileSize: ${info.fileSize}\n`;
  s += `NarHash: ${info.narHash}\nNarSize: ${info.narSize}\n`;
  s += `References: ${info.references.map(baseName).join(' ')}\n`;
  if (info.deriver !== undefined) s += `Deriver: ${baseName(info.deriver)}\n`;
  if (info.system !== undefined) s += `System: ${info.system}\n`;
  for (const sig of info.sigs) s += `Sig: ${sig}\n`;
  if (info.ca !== undefined) s += `CA: ${info.ca}\n`;
  return s;
}

/**
 * What a path's signatures sign: `1;<path>;<narHash in base32>;<narSize>;<refs,comma-separated>`.
 * The NAR hash must be sha256 (as Nix requires).
 */
export function pathFingerprint(storePath: string, narHash: string, narSize: number, references: Iterable<string>): string {
  const h = parseHash(narHash);
  if (h.type !== 'sha256') throw new MError('STORE_ERROR', `cannot calculate fingerprint of path '${storePath}' because its hash is not SHA-256`);
  if (narSize === 0) throw new MError('STORE_ERROR', `cannot calculate fingerprint of path '${storePath}' because its size is not known`);
  return `1;${storePath};${printHash(h, 'base32', true)};${narSize};${sortedUtf8(references).join(',')}`;
}

/** The hash part of a store path: the name of its narinfo is `<hashPart>.narinfo`. */
export function narInfoFileName(storePath: string): string {
  return `${baseName(storePath).slice(0, 32)}.narinfo`;
}

export interface CacheInfo {
  storeDir: string;
  wantMassQuery: boolean;
  priority?: number;
}

export function parseCacheInfo(text: string): CacheInfo {
  const info: CacheInfo = { storeDir: '/nix/store', wantMassQuery: false };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'StoreDir') info.storeDir = value;
    else if (key === 'WantMassQuery') info.wantMassQuery = value === '1';
    else if (key === 'Priority' && /^\d+$/.test(value)) info.priority = Number(value);
  }
  return info;
}

export function printCacheInfo(info: CacheInfo): string {
  let s = `StoreDir: ${info.storeDir}\n`;
  if (info.wantMassQuery) s += 'WantMassQuery: 1\n';
  if (info.priority !== undefined) s += `Priority: ${info.priority}\n`;
  return s;
}
