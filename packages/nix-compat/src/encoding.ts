/** base16, base64 and Nix's own base-32 ("nixbase32") encodings of byte strings. */
import { MError } from '@m/core';

const HEX = '0123456789abcdef';

export function base16Encode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Decodes hex (either case). Throws MError on odd length or a non-hex digit. */
export function base16Decode(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new MError('BAD_ARGUMENT', `invalid base-16 string '${s}'`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(s.charCodeAt(2 * i));
    const lo = hexDigit(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new MError('BAD_ARGUMENT', `invalid base-16 string '${s}'`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Nix's base-32 alphabet: digits and lowercase letters without e, o, u, t. */
export const NIX_BASE32_ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';

const BASE32_VALUE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 32; i++) t[NIX_BASE32_ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Length of the nixbase32 encoding of `byteLen` bytes. */
export function nixBase32Len(byteLen: number): number {
  return Math.floor((byteLen * 8 - 1) / 5) + 1;
}

/**
 * nixbase32: the number formed by the bytes in little-endian order is written most significant
 * 5-bit digit first (so the first character encodes the high bits of the last byte).
 */
export function nixBase32Encode(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  const len = nixBase32Len(bytes.length);
  let s = '';
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    const lo = bytes[i]! >> j;
    const hi = i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0;
    s += NIX_BASE32_ALPHABET[(lo | hi) & 31];
  }
  return s;
}

/** Returns the decoded bytes, or undefined if `s` is not valid nixbase32 of `byteLen` bytes. */
export function nixBase32DecodeOpt(s: string, byteLen: number): Uint8Array | undefined {
  if (s.length !== nixBase32Len(byteLen)) return undefined;
  const out = new Uint8Array(byteLen);
  for (let n = 0; n < s.length; n++) {
    const code = s.charCodeAt(s.length - n - 1);
    const digit = code < 128 ? BASE32_VALUE[code]! : -1;
    if (digit < 0) return undefined;
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    out[i] = out[i]! | ((digit << j) & 0xff);
    const carry = digit >> (8 - j);
    if (i + 1 < byteLen) out[i + 1] = out[i + 1]! | carry;
    else if (carry !== 0) return undefined;
  }
  return out;
}

/**
 * Decodes nixbase32; the byte length defaults to the largest one whose encoding has this length.
 * Throws MError("invalid base-32 string '…'") on bad input.
 */
export function nixBase32Decode(s: string, byteLen?: number): Uint8Array {
  const n = byteLen ?? Math.floor((s.length * 5) / 8);
  const r = nixBase32DecodeOpt(s, n);
  if (!r) throw new MError('BAD_ARGUMENT', `invalid base-32 string '${s}'`);
  return r;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Standard padded base64. */
export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

/**
 * Lenient base64 decoding as Nix does it: stops at the first '=', skips newlines, rejects
 * any other character outside the alphabet with Nix's message.
 */
export function base64Decode(s: string): Uint8Array {
  const out: number[] = [];
  let d = 0;
  let bits = 0;
  for (let k = 0; k < s.length; k++) {
    const ch = s[k]!;
    if (ch === '=') break;
    if (ch === '\n') continue;
    const code = s.charCodeAt(k);
    const digit = code < 256 ? B64_VALUE[code]! : -1;
    // Nix 2.8's formatter drops the offending character from this message; we print it the same way.
    if (digit < 0) throw new MError('BAD_ARGUMENT', "invalid character in Base64 string: ''");
    bits += 6;
    d = ((d << 6) | digit) & 0xffff;
    if (bits >= 8) {
      out.push((d >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
