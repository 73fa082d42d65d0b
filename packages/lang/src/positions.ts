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
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (source.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  const ascii = !/[^\x00-\x7f]/.test(source);
  return {
    file,
    at(offset) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      const start = starts[lo]!;
      const column = ascii ? offset - start + 1 : Buffer.byteLength(source.slice(start, offset), 'utf8') + 1;
      return { file, line: lo + 1, column };
    },
  };
}
