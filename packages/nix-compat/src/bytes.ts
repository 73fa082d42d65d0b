/**
 * Byte/string helpers shared by the format modules and the evaluator.
 *
 * Nix strings are byte strings. m keeps them as JS strings decoded from bytes losslessly with
 * "surrogateescape": valid UTF-8 decodes as usual, and each byte of an invalid sequence becomes
 * the lone surrogate U+DC80..U+DCFF (U+DC00 + byte). `utf8`/`toBytes` map those back to the raw
 * byte, so `utf8(fromUtf8(b))` equals `b` for every byte array. A lone surrogate cannot come from
 * decoding (UTF-8 never encodes surrogates), so the mapping is unambiguous.
 *
 * A string is *canonical* when it equals `fromUtf8(utf8(s))`; then JS equality is byte equality.
 * Joining two canonical strings is canonical unless escaped bytes meet at the seam and form a
 * valid sequence together: use `joinStrings` (or check `seamNeedsNormalise`) where strings are
 * concatenated.
 */
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export type BytesLike = string | Uint8Array;

const ESC = 0xdc00;

/** Whether `s` has no lone surrogate (then it is plain well-formed UTF-16). */
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\ud800-\udfff]/u.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

/** The bytes of a string; escaped bytes (lone U+DC80..U+DCFF) become the raw byte. */
export function utf8(s: string): Uint8Array {
  if (!isWellFormed(s)) return encodeEscaped(s);
  // Buffer.from is several times faster than TextEncoder on short strings; return a plain view
  const b = Buffer.from(s, 'utf8');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function encodeEscaped(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[o++] = 0xf0 | (cp >> 18);
        out[o++] = 0x80 | ((cp >> 12) & 0x3f);
        out[o++] = 0x80 | ((cp >> 6) & 0x3f);
        out[o++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd; // a lone high surrogate: not produced by fromUtf8
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      out[o++] = c - ESC;
      continue;
    } else if (c >= 0xdc00 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, o);
}

/** Decodes bytes losslessly (see module note). */
export function fromUtf8(b: Uint8Array): string {
  try {
    return strictDecoder.decode(b);
  } catch {
    return decodeEscaped(b);
  }
}

/** Length of the valid UTF-8 sequence starting at `i` (Unicode Table 3-7), or 0 when invalid. */
function seqLength(b: Uint8Array, i: number): number {
  const x = b[i];
  const n = b.length;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < n && b[j] >= lo && b[j] <= hi;
  if (x >= 0xc2 && x <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (x >= 0xe0 && x <= 0xef) {
    const lo = x === 0xe0 ? 0xa0 : 0x80;
    const hi = x === 0xed ? 0x9f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (x >= 0xf0 && x <= 0xf4) {
    const lo = x === 0xf0 ? 0x90 : 0x80;
    const hi = x === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

function decodeEscaped(b: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  const flush = (): void => {
    parts.push(String.fromCharCode.apply(null, units));
    units = [];
  };
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    if (x < 0x80) {
      units.push(x);
      i++;
    } else {
      const len = seqLength(b, i);
      if (len === 0) {
        units.push(ESC + x);
        i++;
      } else {
        let cp = len === 2 ? x & 0x1f : len === 3 ? x & 0x0f : x & 0x07;
        for (let k = 1; k < len; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
        if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
        else units.push(cp);
        i += len;
      }
    }
    if (units.length >= 8192) flush();
  }
  flush();
  return parts.join('');
}

/**
 * Streaming form of `utf8`: writes the bytes of `s.slice(start, end)`, exactly as `utf8` encodes
 * that slice, into `out` at `pos` and returns the position after them. `out` needs room for
 * 3 bytes per UTF-16 unit. Callers that encode a string piecewise must not cut it inside a
 * surrogate pair.
 */
export function utf8Into(s: string, start: number, end: number, out: Uint8Array, pos: number): number {
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < end && s.charCodeAt(j) >= 0x80) j++;
    const b = utf8(s.slice(i, j));
    out.set(b, pos);
    pos += b.length;
    i = j;
  }
  return pos;
}

export function toBytes(data: BytesLike): Uint8Array {
  return typeof data === 'string' ? utf8(data) : data;
}

/** The number of bytes of `s` (builtins.stringLength). */
export function byteLength(s: string): number {
  if (isWellFormed(s)) return Buffer.byteLength(s, 'utf8');
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // 2 units, 4 bytes
        i++;
      } else n += 2; // encoded as U+FFFD
    } else if (c >= 0xdc80 && c <= 0xdcff) continue; // an escaped byte
    else n += 2;
  }
  return n;
}

/** Whether `s` contains escaped (invalid UTF-8) bytes, i.e. is not plain Unicode text. */
export function hasEscapedBytes(s: string): boolean {
  return !isWellFormed(s);
}

const isEsc = (c: number): boolean => c >= 0xdc80 && c <= 0xdcff;

/**
 * Whether appending `b` to a string ending in `a`'s last unit can merge escaped bytes into a
 * valid UTF-8 sequence (then the result must go through `normaliseString`). Conservative.
 */
export function seamNeedsNormalise(a: string, b: string): boolean {
  return a.length > 0 && b.length > 0 && isEsc(a.charCodeAt(a.length - 1)) && b.charCodeAt(0) >= 0xdc80 && b.charCodeAt(0) <= 0xdcbf;
}

/** The canonical form of a string (escaped bytes that form valid UTF-8 decoded). */
export function normaliseString(s: string): string {
  return isWellFormed(s) ? s : fromUtf8(utf8(s));
}

/** Concatenation of strings (with `sep` between them) as byte strings: canonical when the parts are. */
export function joinStrings(parts: readonly string[], sep = ''): string {
  const s = parts.join(sep);
  if (isWellFormed(s)) return s;
  let prev = '';
  for (let i = 0; i < parts.length; i++) {
    if (i > 0 && sep !== '') {
      if (seamNeedsNormalise(prev, sep)) return normaliseString(s);
      prev = sep;
    }
    const p = parts[i];
    if (p === '') continue;
    if (seamNeedsNormalise(prev, p)) return normaliseString(s);
    prev = p;
  }
  return s;
}

/** `a + b` as byte strings. */
export function concat2(a: string, b: string): string {
  return seamNeedsNormalise(a, b) ? normaliseString(a + b) : a + b;
}

/**
 * A path for node:fs: the string itself when it is plain Unicode, else its raw bytes (node:fs
 * accepts a Buffer path and passes the bytes to the kernel unchanged).
 */
export function fsPathBytes(p: string): string | Buffer {
  if (isWellFormed(p)) return p;
  const b = encodeEscaped(p);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
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

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Total order of strings by their bytes, which is the order of C++ std::map<std::string> keys
 * in Nix. Differs from JS `<` only around surrogates (pairs and escaped bytes).
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (!xs && !ys) return x < y ? -1 : 1;
    if ((xs && isEsc(x)) || (ys && isEsc(y)) || (xs && ys)) return compareBytes(utf8(a), utf8(b));
    // A surrogate pair encodes a code point >= 0x10000, above every BMP unit.
    return xs ? 1 : -1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function sortedUtf8(items: Iterable<string>): string[] {
  return [...items].sort(compareUtf8);
}
