/** Offsets → positions: the same answers in any order of questions (the table remembers its last line). */
import { expect, test } from 'vitest';
import { createPosTable } from '../src/positions';

test('positions match a line-by-line count, asked in order, backwards and at random', () => {
  const source = 'ab\ncd\r\nef\rg\n\n\nh' + 'xy\n'.repeat(50) + 'é\nz';
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
  const offsets = [...Array(source.length + 1).keys()];
  let seed = 7;
  const random = offsets.map(() => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % (source.length + 1);
  });
  const table = createPosTable(source, 'f');
  for (const o of [...offsets, ...offsets.slice().reverse(), ...random]) expect(table.at(o), `offset ${o}`).toEqual(naive(o));
});
