import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  type HashType,
  HASH_TYPES,
  base16Decode,
  base16Encode,
  base64Decode,
  base64Encode,
  compressHash,
  hashBytes,
  hashSize,
  nixBase32Decode,
  nixBase32Encode,
  parseHash,
  parseHashSRI,
  printHash,
} from '../src/index';
import { nix } from './nix-oracle';

function nixHash(type: HashType, flag: string, inputs: string[]): string[] {
  return nix('nix-hash', ['--type', type, flag, ...inputs]).trim().split('\n');
}

/** Runs nix-hash expecting failure; returns the message without "error: ". */
function nixHashError(type: HashType, flag: string, input: string): string {
  const r = spawnSync('nix-hash', ['--type', type, flag, input], { encoding: 'utf8' });
  expect(r.status).not.toBe(0);
  return r.stderr.split('\n')[0]!.replace(/^error: /, '');
}

const samples = (type: HashType): Uint8Array[] => {
  const n = hashSize(type);
  const out = [new Uint8Array(n), new Uint8Array(n).fill(255)];
  for (let i = 0; i < 10; i++) out.push(new Uint8Array(randomBytes(n)));
  return out;
};

describe.each(HASH_TYPES)('%s against nix-hash', (type) => {
  const hashes = samples(type);
  const hex = hashes.map(base16Encode);

  test('base16 → nixbase32 matches nix-hash --to-base32', () => {
    const expected = nixHash(type, '--to-base32', hex);
    expect(hashes.map((b) => printHash({ type, bytes: b }, 'base32'))).toEqual(expected);
    expect(hashes.map(nixBase32Encode)).toEqual(expected);
  });

  test('nixbase32/base64/SRI/prefixed → base16 matches nix-hash --to-base16 and parseHash', () => {
    const forms = hashes.flatMap((b) => {
      const h = { type, bytes: b };
      return [printHash(h, 'base32'), printHash(h, 'base64'), printHash(h, 'sri'), printHash(h, 'base32', true)];
    });
    const expected = nixHash(type, '--to-base16', forms);
    expect(forms.map((f) => base16Encode(parseHash(f, type).bytes))).toEqual(expected);
    expect(expected).toEqual(hex.flatMap((h) => [h, h, h, h]));
  });

  test('round trips', () => {
    for (const b of hashes) {
      const h = { type, bytes: b };
      expect(nixBase32Decode(nixBase32Encode(b), b.length)).toEqual(b);
      expect(base64Decode(base64Encode(b))).toEqual(b);
      expect(base16Decode(base16Encode(b))).toEqual(b);
      expect(parseHashSRI(printHash(h, 'sri')).bytes).toEqual(b);
      expect(parseHash(printHash(h, 'base16', true)).bytes).toEqual(b);
      expect(parseHash(base16Encode(b).toUpperCase(), type).bytes).toEqual(b);
    }
  });
});

describe('hash errors match nix-hash', () => {
  const cases: [HashType, string][] = [
    ['sha256', 'x'],
    ['md5', 'zz'],
    ['sha256', 'sha1:0000000000000000000000000000000000000000'],
    ['sha1', 'foo:abc'],
    ['sha256', 'g'.repeat(64)],
    ['sha256', 'e'.repeat(52)],
    ['sha256', 'z'.repeat(52)],
    ['sha1', '!'.repeat(28)],
    ['sha256', 'sha256-AAAA'],
    ['sha512', 'sha512-'],
  ];
  test.each(cases)('%s %s', (type, input) => {
    const expected = nixHashError(type, '--to-base16', input);
    expect(() => parseHash(input, type)).toThrow(expected);
    try {
      parseHash(input, type);
    } catch (e) {
      expect((e as Error).message).toBe(expected);
    }
  });

  test('missing type', () => {
    expect(() => parseHash('abc')).toThrow(
      "hash 'abc' does not include a type, nor is the type otherwise known from context",
    );
  });
});

describe('hashing', () => {
  test('hashBytes agrees with nix-hash --flat', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'm-hash-')), 'f');
    writeFileSync(file, 'hello\n');
    for (const type of HASH_TYPES) {
      const out = nix('nix-hash', ['--type', type, '--flat', '--base32', file]).trim();
      expect(printHash(hashBytes(type, 'hello\n'), 'base32')).toBe(out);
    }
  });

  test('compressHash folds by XOR', () => {
    const b = Uint8Array.from({ length: 32 }, (_, i) => i);
    const c = compressHash(b, 20);
    expect(c.length).toBe(20);
    expect(c[0]).toBe(0 ^ 20);
    expect(c[11]).toBe(11 ^ 31);
    expect(c[12]).toBe(12);
  });
});
