/** Offsets → positions: the same answers in any order of questions (the table remembers its last answer). */
import { expect, test } from 'vitest';
import { createPosTable } from '../src/positions';

test('positions match a line-by-line count, asked in order, backwards and at random', () => {
  const source = 'ab\ncd\r\nef\rg\n\n\nh' + 'xy\n'.repeat(50) + 'é\u{1F600}a\u{1F600}\ndé\u{1F600}z';
  const naive = (offset: number) => {
    let line = 1;
    let start = 0;
    for (let i = 0; i < offset; i++) {
      const c = source[i];
      if (c === '\n' || (c === '\r' && source[i + 1] !== '\n')) {
        line++;
        start = i + 1;
      }
    }
    const column = Buffer.byteLength(source.slice(start, offset)) + 1;
    return { file: 'f', line, column };
  };
  // (The parser asks only at token boundaries, never inside a surrogate pair.)
  const inPair = (o: number) => /[\ud800-\udbff]/.test(source[o - 1] ?? '');
  const offsets = [...Array(source.length + 1).keys()].filter((o) => !inPair(o));
  let seed = 7;
  const random = offsets.map(() => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return offsets[seed % offsets.length]!;
  });
  const table = createPosTable(source, 'f');
  for (const o of [...offsets, ...offsets.slice().reverse(), ...random]) expect(table.at(o), `offset ${o}`).toEqual(naive(o));
});
