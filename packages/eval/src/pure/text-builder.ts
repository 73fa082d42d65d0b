/**
 * A growing byte buffer for building a long string from many small pieces (toJSON's output):
 * pieces are written as UTF-8 bytes (escaped bytes, i.e. lone U+DC80..U+DCFF, as the raw byte),
 * and `text()` decodes the whole once. Unlike `s += piece` it leaves no chain of cons strings
 * for the garbage collector to copy and promote.
 */
import { fromUtf8, utf8 } from '@m/nix-compat';

export interface TextBuilder {
  /** Appends the bytes of `s`. */
  add(s: string): void;
  /** Appends one ASCII character given by its code. */
  char(c: number): void;
  /** The text written so far (canonical: escaped bytes that form valid UTF-8 are decoded). */
  text(): string;
}

/** Pieces shorter than this are copied by a JS loop; longer ones through Buffer's UTF-8 writer. */
const SHORT = 32;
const NON_ASCII = /[^\x00-\x7f]/;

export function createTextBuilder(initialBytes = 256): TextBuilder {
  let buf = Buffer.allocUnsafe(initialBytes);
  let pos = 0;
  let ascii = true;

  const reserve = (n: number): void => {
    if (pos + n <= buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
    buf.copy(next, 0, 0, pos);
    buf = next;
  };

  /** Appends a piece that is not all ASCII. */
  const addWide = (s: string): void => {
    ascii = false;
    const b = utf8(s);
    reserve(b.length);
    buf.set(b, pos);
    pos += b.length;
  };

  return {
    add(s: string): void {
      const n = s.length;
      if (n < SHORT) {
        reserve(n);
        const start = pos;
        for (let i = 0; i < n; i++) {
          const c = s.charCodeAt(i);
          if (c >= 0x80) {
            pos = start;
            addWide(s);
            return;
          }
          buf[pos++] = c;
        }
        return;
      }
      if (NON_ASCII.test(s)) {
        addWide(s);
        return;
      }
      reserve(n);
      pos += buf.write(s, pos, 'latin1');
    },
    char(c: number): void {
      if (pos === buf.length) reserve(1);
      buf[pos++] = c;
    },
    text(): string {
      return ascii ? buf.toString('latin1', 0, pos) : fromUtf8(buf.subarray(0, pos));
    },
  };
}
