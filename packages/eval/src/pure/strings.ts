/**
 * String helpers with Nix 2.8's exact semantics.
 *
 * Representation: Nix strings are byte strings; these helpers take and return ordinary JS strings
 * and give Nix's byte-based answers by working on their UTF-8 encoding (stringLength "é" = 2,
 * substring by byte offsets, …). Bytes that are not valid UTF-8 (e.g. half of a sequence cut by
 * substring) are kept as escaped bytes (see @m/nix-compat's bytes.ts), so every result is exact;
 * the *Bytes variants work on Uint8Array for callers that keep raw bytes.
 */
import { MError } from '@m/core';
import { byteLength as nixByteLength, compareUtf8, fromUtf8, hasEscapedBytes, joinStrings, utf8 } from '@m/nix-compat';

const enc = utf8;
const dec = fromUtf8;

/** builtins.stringLength: the number of bytes of the string. */
export function byteLength(s: string): number {
  return nixByteLength(s);
}

/** builtins.substring on bytes. `start` must be ≥ 0 (checked); a negative `len` means "to the end". */
export function substringBytes(start: number, len: number, s: Uint8Array): Uint8Array {
  if (start < 0) throw new MError('EVAL_ERROR', "negative start position in 'substring'");
  if (start >= s.length) return s.subarray(0, 0);
  const end = len < 0 ? s.length : Math.min(s.length, start + len);
  return s.subarray(start, end);
}

// The last string `byteSubstring` looked at: taking many substrings of one string (as
// lib.stringToCharacters does) then costs one scan/encoding instead of one per call.
let lastString: string | undefined;
let lastAscii = false;
let lastBytes: Uint8Array | undefined;

/** builtins.substring with byte offsets on a JS string (bytes cut from a sequence stay escaped). */
export function byteSubstring(start: number, len: number, s: string): string {
  if (start < 0) throw new MError('EVAL_ERROR', "negative start position in 'substring'");
  if (s !== lastString) {
    lastString = s;
    lastAscii = /^[\x00-\x7f]*$/.test(s);
    lastBytes = undefined;
  }
  // ASCII strings index identically in bytes and UTF-16 units
  if (lastAscii) {
    if (start >= s.length) return '';
    return len < 0 ? s.slice(start) : s.slice(start, start + len);
  }
  lastBytes ??= enc(s);
  return dec(substringBytes(start, len, lastBytes));
}

/**
 * A string as Nix prints it inside values: `"`, `\`, newline, CR, tab escaped, and `$` escaped
 * only when followed by `{`. Other bytes (control characters, non-ASCII) are written raw.
 */
export function escapeNixString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '$' && s[i + 1] === '{') out += '\\$';
    else out += c;
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// Versions (libstore/names.cc)

const isDigitCh = (c: string) => c >= '0' && c <= '9';
const isAlphaCh = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** Next version component from position `p`; returns [component, newPosition]. */
function nextComponent(s: string, p: number): [string, number] {
  while (p < s.length && (s[p] === '.' || s[p] === '-')) p++;
  if (p >= s.length) return ['', p];
  const start = p;
  if (isDigitCh(s[p])) {
    while (p < s.length && isDigitCh(s[p])) p++;
  } else {
    while (p < s.length && !isDigitCh(s[p]) && s[p] !== '.' && s[p] !== '-') p++;
  }
  return [s.slice(start, p), p];
}

/** string2Int<int>: a decimal that fits a 32-bit int, else undefined. */
function toInt32(c: string): number | undefined {
  if (!/^-?[0-9]+$/.test(c)) return undefined;
  const v = Number(c);
  return v >= -2147483648 && v <= 2147483647 ? v : undefined;
}

/** Byte-wise comparison as std::string's operator< (UTF-8 order = code point order). */
function bytesLess(a: string, b: string): boolean {
  return compareUtf8(a, b) < 0;
}

function componentsLT(c1: string, c2: string): boolean {
  const n1 = toInt32(c1);
  const n2 = toInt32(c2);
  if (n1 !== undefined && n2 !== undefined) return n1 < n2;
  if (c1 === '' && n2 !== undefined) return true;
  if (c1 === 'pre' && c2 !== 'pre') return true;
  if (c2 === 'pre') return false;
  if (n2 !== undefined) return true;
  if (n1 !== undefined) return false;
  return bytesLess(c1, c2);
}

/** builtins.compareVersions: -1, 0 or 1. */
export function compareVersions(v1: string, v2: string): -1 | 0 | 1 {
  let p1 = 0;
  let p2 = 0;
  while (p1 < v1.length || p2 < v2.length) {
    let c1: string;
    let c2: string;
    [c1, p1] = nextComponent(v1, p1);
    [c2, p2] = nextComponent(v2, p2);
    if (componentsLT(c1, c2)) return -1;
    if (componentsLT(c2, c1)) return 1;
  }
  return 0;
}

/** builtins.splitVersion. */
export function splitVersion(s: string): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < s.length) {
    let c: string;
    [c, p] = nextComponent(s, p);
    if (c === '') break;
    out.push(c);
  }
  return out;
}

/** builtins.parseDrvName: split at the first `-` not followed by a letter. */
export function parseDrvName(s: string): { name: string; version: string } {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '-' && i + 1 < s.length && !isAlphaCh(s[i + 1])) {
      return { name: s.slice(0, i), version: s.slice(i + 1) };
    }
  }
  return { name: s, version: '' };
}

// ---------------------------------------------------------------------------------------------
// replaceStrings

/**
 * builtins.replaceStrings on bytes. Scans left to right; at each position the first matching
 * `from` pattern wins. An empty pattern matches at every position (including the end): its
 * replacement is inserted and the current byte is kept. Returns the result and, for context
 * propagation, the indices of the `to` entries that were used.
 */
export function replaceStringsBytes(
  from: Uint8Array[],
  to: Uint8Array[],
  s: Uint8Array,
): { result: Uint8Array; used: Set<number> } {
  if (from.length !== to.length) {
    throw new MError('EVAL_ERROR', "'from' and 'to' arguments to 'replaceStrings' have different lengths");
  }
  const chunks: Uint8Array[] = [];
  const used = new Set<number>();
  let runStart = 0;
  const flushRun = (end: number) => {
    if (end > runStart) chunks.push(s.subarray(runStart, end));
  };
  let p = 0;
  while (p <= s.length) {
    let found = -1;
    for (let k = 0; k < from.length; k++) {
      const f = from[k];
      if (p + f.length > s.length && f.length > 0) continue;
      let ok = true;
      for (let q = 0; q < f.length; q++) {
        if (s[p + q] !== f[q]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        found = k;
        break;
      }
    }
    if (found < 0) {
      p++;
      continue;
    }
    flushRun(p);
    chunks.push(to[found]);
    used.add(found);
    if (from[found].length === 0) {
      runStart = p;
      p++;
    } else {
      p += from[found].length;
      runStart = p;
    }
  }
  flushRun(s.length);
  return { result: Buffer.concat(chunks), used };
}

/**
 * builtins.replaceStrings on the text itself, when that gives the bytes replaceStringsBytes would:
 * every `from` non-empty and `s` and every `from` plain Unicode (no escaped bytes). UTF-8 is
 * self-synchronising, so such a pattern matches the encoded text only at a character boundary,
 * where it matches the text. Returns undefined when the bytes must decide (an empty pattern
 * inserts between the bytes of a character). The result is joined with joinStrings (a `to` may
 * hold escaped bytes).
 */
export function replaceStringsText(from: readonly string[], to: readonly string[], s: string): { result: string; used: Set<number> } | undefined {
  if (hasEscapedBytes(s)) return undefined;
  for (let k = 0; k < from.length; k++) if (from[k].length === 0 || hasEscapedBytes(from[k])) return undefined;
  const parts: string[] = [];
  const used = new Set<number>();
  let runStart = 0;
  if (from.length === 1) {
    const f = from[0];
    for (let p = s.indexOf(f); p >= 0; p = s.indexOf(f, runStart)) {
      parts.push(s.slice(runStart, p), to[0]);
      used.add(0);
      runStart = p + f.length;
    }
  } else if (from.length > 1) {
    const firsts = new Set<number>();
    for (const f of from) firsts.add(f.charCodeAt(0));
    let p = 0;
    while (p < s.length) {
      let found = -1;
      if (firsts.has(s.charCodeAt(p))) {
        for (let k = 0; k < from.length; k++) {
          if (s.startsWith(from[k], p)) {
            found = k;
            break;
          }
        }
      }
      if (found < 0) {
        p++;
        continue;
      }
      parts.push(s.slice(runStart, p), to[found]);
      used.add(found);
      p += from[found].length;
      runStart = p;
    }
  }
  if (runStart === 0) return { result: s, used };
  parts.push(s.slice(runStart));
  return { result: joinStrings(parts), used };
}

/** builtins.replaceStrings on JS strings (byte semantics; see module note). */
export function replaceStrings(from: string[], to: string[], s: string): string {
  if (from.length !== to.length) {
    throw new MError('EVAL_ERROR', "'from' and 'to' arguments to 'replaceStrings' have different lengths");
  }
  return dec(replaceStringsBytes(from.map(enc), to.map(enc), enc(s)).result);
}

// ---------------------------------------------------------------------------------------------
// XML (libutil/xml-writer.cc conventions, used by builtins.toXML and --xml)

/** Escape an attribute value as Nix's XMLWriter does (`"`, `<`, `>`, `&`, newline). */
export function xmlEscape(s: string): string {
  let out = '';
  for (const c of s) {
    if (c === '"') out += '&quot;';
    else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '&') out += '&amp;';
    else if (c === '\n') out += '&#xA;';
    else out += c;
  }
  return out;
}

export type XmlAttrs = Record<string, string>;

export interface XmlWriter {
  openElement(name: string, attrs?: XmlAttrs): void;
  closeElement(): void;
  writeEmptyElement(name: string, attrs?: XmlAttrs): void;
  /** Close all open elements and return the document text. */
  finish(): string;
}

/**
 * Nix's XMLWriter: `<?xml version='1.0' encoding='utf-8'?>` header, attributes sorted by name
 * (they live in a std::map), two spaces of indentation per open element and a newline after each
 * tag when `indent` is true (Nix always writes toXML/--xml output indented).
 */
export function createXmlWriter(indent = true): XmlWriter {
  let out = "<?xml version='1.0' encoding='utf-8'?>\n";
  const pending: string[] = [];
  const pad = (depth: number) => {
    if (indent) out += ' '.repeat(depth * 2);
  };
  const attrsText = (attrs: XmlAttrs | undefined) => {
    if (!attrs) return '';
    const keys = Object.keys(attrs).sort(compareUtf8);
    return keys.map((k) => ` ${k}="${xmlEscape(attrs[k])}"`).join('');
  };
  const nl = () => {
    if (indent) out += '\n';
  };
  return {
    openElement(name, attrs) {
      pad(pending.length);
      out += `<${name}${attrsText(attrs)}>`;
      nl();
      pending.push(name);
    },
    closeElement() {
      const name = pending.pop();
      if (name === undefined) throw new MError('INTERNAL', 'XML writer: no element to close');
      pad(pending.length);
      out += `</${name}>`;
      nl();
    },
    writeEmptyElement(name, attrs) {
      pad(pending.length);
      out += `<${name}${attrsText(attrs)} />`;
      nl();
    },
    finish() {
      while (pending.length > 0) this.closeElement();
      return out;
    },
  };
}
