import { describe, expect, it } from 'vitest';
import { byteLength, compareUtf8, concat2, fromUtf8, joinStrings, normaliseString, utf8 } from '../src/bytes';

const B = (...xs: number[]): Uint8Array => new Uint8Array(xs);

describe('surrogateescape decoding', () => {
  it('round-trips every byte sequence exactly', () => {
    const samples = [
      B(0x61, 0xff, 0x62),
      B(0xc3, 0xa9),
      B(0xc3),
      B(0xa9),
      B(0xed, 0xa0, 0x80), // an encoded surrogate: invalid UTF-8
      B(0xf0, 0x9f, 0x98, 0x80),
      B(0xf0, 0x9f, 0x98),
      B(0xc0, 0x80), // overlong
      B(0xf4, 0x90, 0x80, 0x80), // above U+10FFFF
      B(0xef, 0xbf, 0xbd), // a real U+FFFD
    ];
    for (const b of samples) expect([...utf8(fromUtf8(b))]).toEqual([...b]);
    let seed = 7;
    for (let n = 0; n < 300; n++) {
      const b = new Uint8Array(n % 40);
      for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      expect([...utf8(fromUtf8(b))]).toEqual([...b]);
      expect(byteLength(fromUtf8(b))).toBe(b.length);
    }
  });

  it('decodes valid UTF-8 as usual and escapes each invalid byte', () => {
    expect(fromUtf8(B(0xc3, 0xa9))).toBe('é');
    expect(fromUtf8(B(0x61, 0xff))).toBe('a\udcff');
    expect(fromUtf8(B(0xef, 0xbf, 0xbd))).toBe('\ufffd');
    expect(byteLength('é\udcff😀')).toBe(2 + 1 + 4);
  });

  it('joins split sequences back into characters', () => {
    const a = fromUtf8(B(0xc3));
    const b = fromUtf8(B(0xa9));
    expect(concat2(a, b)).toBe('é');
    expect(joinStrings([a, '', b])).toBe('é');
    expect(joinStrings([a, b], '')).toBe('é');
    expect(joinStrings(['x', 'y'], a)).toBe('x\udcc3y');
    expect(normaliseString('\udcf0\udc9f\udc98\udc80')).toBe('😀');
  });

  it('orders strings by bytes', () => {
    const sorted = ['b', '\udcff', 'é', '\udc80', '😀', 'a', '\uffff'].sort(compareUtf8);
    expect(sorted.map((s) => Buffer.from(utf8(s)).toString('hex'))).toEqual(
      ['a', 'b', '\udc80', 'é', '\uffff', '😀', '\udcff'].map((s) => Buffer.from(utf8(s)).toString('hex')).sort(),
    );
  });
});
