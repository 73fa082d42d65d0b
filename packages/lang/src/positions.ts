/**
 * Offsets → Nix positions. Lines are 1-based; `\r\n`, `\r` and `\n` each end a line. Columns are
 * 1-based and count UTF-8 bytes, as Nix's lexer does.
 */
import type { Pos } from './ast';

export interface PosTable {
  file: string;
  at(offset: number): Pos;
}

export function createPosTable(source: string, file: string): PosTable {
  const starts: number[] = [0];
  if (source.indexOf('\r') < 0) for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  else for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (source.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  const ascii = !/[^\x00-\x7f]/.test(source);
  const last = starts.length - 1;
  // The parser asks mostly for offsets on the line of its previous question or the next one.
  let line = 0;
  let prevOffset = 0;
  let prevBytes = 0;
  return {
    file,
    at(offset) {
      let lo = line;
      if (!(starts[lo]! <= offset && (lo === last || offset < starts[lo + 1]!))) {
        if (lo < last && starts[lo + 1]! <= offset && (lo + 1 === last || offset < starts[lo + 2]!)) lo++;
        else {
          lo = 0;
          let hi = last;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid]! <= offset) lo = mid;
            else hi = mid - 1;
          }
        }
      }
      const start = starts[lo]!;
      let column: number;
      if (ascii) column = offset - start + 1;
      else {
        // Bytes are counted on from the previous answer when it is earlier on the same line.
        if (lo !== line || offset < prevOffset) {
          prevOffset = start;
          prevBytes = 0;
        }
        prevBytes += byteCount(source, prevOffset, offset);
        prevOffset = offset;
        column = prevBytes + 1;
      }
      line = lo;
      return { file, line: lo + 1, column };
    },
  };
}

/**
 * Bytes of `source[start, end)` as Nix counts columns: UTF-8 bytes, where a lone surrogate
 * U+DC80..U+DCFF stands for one raw non-UTF-8 byte (@m/nix-compat's lossless decoding).
 */
function byteCount(source: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c < 0x80 || (c >= 0xdc80 && c <= 0xdcff)) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
