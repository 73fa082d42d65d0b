import { describe, expect, it } from 'vitest';
import { createLineSplitter } from '../src/log-lines';

function split(chunks: (string | Uint8Array)[], maxLine?: number): string[] {
  const lines: string[] = [];
  const s = createLineSplitter((l) => lines.push(l), maxLine);
  for (const c of chunks) s.write(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return lines;
}

describe('log line splitter', () => {
  it('splits on newlines wherever the chunks are cut, and keeps a last line without one', () => {
    const text = 'one\ntwo\n\nthree';
    for (let cut = 0; cut <= text.length; cut++) expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(['one', 'two', '', 'three']);
    expect(split(['a\n'])).toEqual(['a']);
    expect(split([])).toEqual([]);
  });

  it('decodes UTF-8 per line, even when a character straddles chunks', () => {
    const bytes = Buffer.from('ünï ✓\nnext\n');
    for (let cut = 0; cut <= bytes.length; cut++) expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['ünï ✓', 'next']);
    expect(split([Uint8Array.of(0x61, 0xff, 0x62, 0x0a)])).toEqual(['a\ufffdb']);
  });

  it('delivers a line longer than the limit in pieces, never cutting a character', () => {
    expect(split(['abcdefghij\n'], 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(split(['ab', 'cd', 'ef', 'g'], 4)).toEqual(['abcd', 'efg']);
    // 'é' is two bytes: a piece ends before it rather than in its middle.
    expect(split(['abcé\n'], 4)).toEqual(['abc', 'é']);
    expect(split(['aaaa'.repeat(5)], 4).every((l) => l === 'aaaa')).toBe(true);
  });

  it('is linear: 64 MiB without a newline in 64 KiB chunks splits in well under 3 s of CPU (joining the pieces: about 32 GiB copied)', () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    /** CPU microseconds to split `chunks` chunks of one line; the best of three. */
    const cost = (chunks: number): number => {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        let n = 0;
        let bytes = 0;
        const s = createLineSplitter((l) => {
          n++;
          bytes += l.length;
        });
        const t = process.cpuUsage();
        for (let i = 0; i < chunks; i++) s.write(chunk);
        s.end();
        const used = process.cpuUsage(t);
        best = Math.min(best, used.user + used.system);
        expect(bytes).toBe(chunks * 64 * 1024);
        expect(n).toBe(chunks);
      }
      return best;
    };
    // CPU time (not wall time: the machine may be loaded); linear is about 50 ms here.
    expect(cost(1024)).toBeLessThan(3_000_000);
  });
});
