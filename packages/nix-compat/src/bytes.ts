/** Byte/string helpers shared by the format modules. Nix strings are byte strings; we encode JS strings as UTF-8. */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

export type BytesLike = string | Uint8Array;

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

export function toBytes(data: BytesLike): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Total order of strings by their UTF-8 bytes (= code point order), which is the order of
 * C++ std::map<std::string> keys in Nix. Differs from JS `<` only around surrogate pairs.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x < y ? -1 : 1;
    // A surrogate encodes a code point >= 0x10000, above every BMP unit.
    return xs ? 1 : -1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function sortedUtf8(items: Iterable<string>): string[] {
  return [...items].sort(compareUtf8);
}
