/** Nix hashes: types, computing, parsing (base16/nixbase32/base64/SRI) and printing. */
import { createHash } from 'node:crypto';
import { MError } from '@m/core';
import { type BytesLike, toBytes } from './bytes';
import {
  base16Encode,
  base64Decode,
  base64Encode,
  nixBase32DecodeOpt,
  nixBase32Encode,
  nixBase32Len,
} from './encoding';

export type HashType = 'md5' | 'sha1' | 'sha256' | 'sha512';
export type HashFormat = 'base16' | 'base32' | 'base64' | 'sri';

export interface Hash {
  readonly type: HashType;
  readonly bytes: Uint8Array;
}

export const HASH_TYPES: readonly HashType[] = ['md5', 'sha1', 'sha256', 'sha512'];

const SIZES: Record<HashType, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

export function hashSize(type: HashType): number {
  return SIZES[type];
}

export function isHashType(s: string): s is HashType {
  return s === 'md5' || s === 'sha1' || s === 'sha256' || s === 'sha512';
}

export function parseHashTypeOpt(s: string): HashType | undefined {
  return isHashType(s) ? s : undefined;
}

/** Throws MError("unknown hash algorithm '…'") for anything but md5/sha1/sha256/sha512. */
export function parseHashType(s: string): HashType {
  if (isHashType(s)) return s;
  throw new MError('BAD_ARGUMENT', `unknown hash algorithm '${s}'`);
}

/** Hashes bytes (strings are hashed as their UTF-8 encoding). */
export function hashBytes(type: HashType, data: BytesLike | Iterable<Uint8Array>): Hash {
  const h = createHash(type);
  if (typeof data === 'string' || data instanceof Uint8Array) h.update(toBytes(data));
  else for (const chunk of data) h.update(chunk);
  return { type, bytes: new Uint8Array(h.digest()) };
}

/** Incremental hashing: update() any number of chunks, then finish() once. */
export interface HashSink {
  update(chunk: Uint8Array): void;
  finish(): { hash: Hash; size: number };
}

export function createHashSink(type: HashType): HashSink {
  const h = createHash(type);
  let size = 0;
  return {
    update(chunk) {
      size += chunk.length;
      h.update(chunk);
    },
    finish() {
      return { hash: { type, bytes: new Uint8Array(h.digest()) }, size };
    },
  };
}

/** Folds `bytes` into `newSize` bytes by XOR (Nix's compressHash). */
export function compressHash(bytes: Uint8Array, newSize: number): Uint8Array {
  const out = new Uint8Array(newSize);
  for (let i = 0; i < bytes.length; i++) out[i % newSize] = out[i % newSize]! ^ bytes[i]!;
  return out;
}

export function printHash(hash: Hash, format: HashFormat, includeType = false): string {
  let prefix = '';
  if (format === 'sri') prefix = `${hash.type}-`;
  else if (includeType) prefix = `${hash.type}:`;
  switch (format) {
    case 'base16':
      return prefix + base16Encode(hash.bytes);
    case 'base32':
      return prefix + nixBase32Encode(hash.bytes);
    case 'base64':
    case 'sri':
      return prefix + base64Encode(hash.bytes);
  }
}

/** base16 for md5, nixbase32 otherwise, without type (Nix's printHash16or32). */
export function printHash16or32(hash: Hash): string {
  return printHash(hash, hash.type === 'md5' ? 'base16' : 'base32');
}

function badHash(msg: string): MError {
  return new MError('BAD_ARGUMENT', msg);
}

/** Strips a `type:` or (SRI) `type-` prefix. */
function splitTypePrefix(s: string): { rest: string; type?: HashType; sri: boolean } {
  const colon = s.indexOf(':');
  if (colon >= 0) return { rest: s.slice(colon + 1), type: parseHashType(s.slice(0, colon)), sri: false };
  const dash = s.indexOf('-');
  if (dash >= 0) return { rest: s.slice(dash + 1), type: parseHashType(s.slice(0, dash)), sri: true };
  return { rest: s, sri: false };
}

/** Decodes the hash body `rest` (no prefix) of a known type, choosing the encoding by length. */
export function parseHashBody(rest: string, type: HashType, sri = false): Hash {
  const size = SIZES[type];
  if (!sri && rest.length === size * 2) {
    if (!/^[0-9a-fA-F]*$/.test(rest)) throw badHash(`invalid base-16 hash '${rest}'`);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = parseInt(rest.slice(2 * i, 2 * i + 2), 16);
    return { type, bytes };
  }
  if (!sri && rest.length === nixBase32Len(size)) {
    const bytes = nixBase32DecodeOpt(rest, size);
    if (!bytes) throw badHash(`invalid base-32 hash '${rest}'`);
    return { type, bytes };
  }
  if (sri || rest.length === Math.ceil(size / 3) * 4) {
    const bytes = base64Decode(rest);
    if (bytes.length !== size) throw badHash(`invalid ${sri ? 'SRI' : 'base-64'} hash '${rest}'`);
    return { type, bytes };
  }
  throw badHash(`hash '${rest}' has wrong length for hash type '${type}'`);
}

/**
 * Parses a hash in any of Nix's forms: `type:body`, SRI `type-base64`, or a bare body when
 * `type` is given (Nix's Hash::parseAny). Messages are Nix's BadHash messages.
 */
export function parseHash(s: string, type?: HashType): Hash {
  const p = splitTypePrefix(s);
  if (!p.type && !type)
    throw badHash(`hash '${p.rest}' does not include a type, nor is the type otherwise known from context`);
  if (p.type && type && p.type !== type) throw badHash(`hash '${s}' should have type '${type}'`);
  return parseHashBody(p.rest, (p.type ?? type)!, p.sri);
}

/** Parses a hash that must carry its own type prefix (Nix's parseAnyPrefixed). */
export function parseHashPrefixed(s: string): Hash {
  const p = splitTypePrefix(s);
  if (!p.type) throw badHash(`hash '${p.rest}' does not include a type`);
  return parseHashBody(p.rest, p.type, p.sri);
}

/** Parses an SRI hash `type-base64` (Nix's parseSRI). */
export function parseHashSRI(s: string): Hash {
  const dash = s.indexOf('-');
  if (dash < 0) throw badHash(`hash '${s}' is not SRI`);
  return parseHashBody(s.slice(dash + 1), parseHashType(s.slice(0, dash)), true);
}

/** Nix's newHashAllowEmpty: an empty string means the all-zero hash of the given type. */
export function parseHashAllowEmpty(s: string, type?: HashType): { hash: Hash; warning?: string } {
  if (s === '') {
    if (!type) throw badHash('empty hash requires explicit hash type');
    const hash = { type, bytes: new Uint8Array(SIZES[type]) };
    return { hash, warning: `found empty hash, assuming '${printHash(hash, 'sri')}'` };
  }
  return { hash: parseHash(s, type) };
}

export function hashEquals(a: Hash, b: Hash): boolean {
  if (a.type !== b.type || a.bytes.length !== b.bytes.length) return false;
  return a.bytes.every((v, i) => v === b.bytes[i]);
}
