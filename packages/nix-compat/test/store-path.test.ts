import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  computeStorePathForText,
  hashPlaceholder,
  hashBytes,
  isStorePath,
  makeFixedOutputPath,
  makeOutputPath,
  makeStorePath,
  makeTextPath,
  parseHash,
  parseStorePath,
  printHash,
  storePathHashPart,
  storePathName,
} from '../src/index';
import { nix, nixEvalJson } from './nix-oracle';

let dir: string;
let file: string;

beforeAll(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'm-sp-')), 'src-dir');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  writeFileSync(join(dir, 'sub', 'b'), 'b');
  file = join(dir, 'a.txt');
});

function nixError(expr: string): string {
  const r = spawnSync('nix-instantiate', ['--read-write-mode', '--eval', '-E', expr], { encoding: 'utf8' });
  expect(r.status).not.toBe(0);
  return r.stderr.split('\n')[0]!.replace(/^error: /, '');
}

describe('store paths against nix-instantiate', () => {
  test('builtins.toFile (text paths, with and without references)', () => {
    const r = nixEvalJson<{ a: string; b: string; c: string }>(
      `let a = builtins.toFile "n" "t"; b = builtins.toFile "r" "\${a} x"; in { inherit a b; c = builtins.toFile "multi" "\${a}\${b}é"; }`,
    );
    expect(computeStorePathForText('n', 't')).toBe(r.a);
    expect(computeStorePathForText('r', `${r.a} x`, [r.a])).toBe(r.b);
    expect(makeTextPath('multi', hashBytes('sha256', `${r.a}${r.b}é`), [r.b, r.a])).toBe(r.c);
  });

  test('builtins.path recursive and flat', () => {
    const r = nixEvalJson<{ recu: string; flat: string; named: string }>(
      `{ recu = builtins.path { path = ${dir}; }; flat = builtins.path { path = ${file}; recursive = false; }; named = builtins.path { path = ${dir}; name = "x-y"; }; }`,
    );
    const narHash = parseHash(nix('nix-hash', ['--type', 'sha256', dir]).trim(), 'sha256');
    expect(makeFixedOutputPath({ method: 'recursive', hash: narHash, name: basename(dir) })).toBe(r.recu);
    expect(makeFixedOutputPath({ method: 'recursive', hash: narHash, name: 'x-y' })).toBe(r.named);
    expect(makeFixedOutputPath({ method: 'recursive', hashType: 'sha256', hash: narHash.bytes, name: 'x-y' })).toBe(r.named);
    expect(makeFixedOutputPath({ method: 'recursive', hash: printHash(narHash, 'sri'), name: 'x-y' })).toBe(r.named);
    const flatHash = hashBytes('sha256', readFileSync(file));
    expect(makeFixedOutputPath({ method: 'flat', hash: flatHash, name: 'a.txt' })).toBe(r.flat);
  });

  test('makeStorePath with hex, bytes and Hash agree', () => {
    const h = hashBytes('sha256', 'x');
    const hex = Buffer.from(h.bytes).toString('hex');
    const p = makeStorePath('output:out', h, 'foo');
    expect(makeStorePath('output:out', hex, 'foo')).toBe(p);
    expect(makeStorePath('output:out', h.bytes, 'foo')).toBe(p);
    expect(makeOutputPath(h, 'out', 'foo')).toBe(p);
    expect(storePathName(makeOutputPath(h, 'dev', 'foo'))).toBe('foo-dev');
  });

  test('invalid names give Nix messages', () => {
    for (const name of ['a b', 'x'.repeat(212), 'a!b', '']) {
      const expected = nixError(`builtins.toFile "${name}" "x"`);
      expect(() => computeStorePathForText(name, 'x')).toThrow(expected);
    }
    expect(() => computeStorePathForText('x'.repeat(211), 'x')).not.toThrow();
  });
});

describe('parseStorePath', () => {
  const p = '/nix/store/wiy6ks60mf7ph72jplycw0ks03ah9q1v-n';
  test('accepts and splits', () => {
    expect(parseStorePath(p)).toEqual({
      hashPart: 'wiy6ks60mf7ph72jplycw0ks03ah9q1v',
      name: 'n',
      baseName: 'wiy6ks60mf7ph72jplycw0ks03ah9q1v-n',
    });
    expect(parseStorePath('/nix//store/./wiy6ks60mf7ph72jplycw0ks03ah9q1v-n/').name).toBe('n');
    expect(storePathHashPart(p)).toBe('wiy6ks60mf7ph72jplycw0ks03ah9q1v');
    expect(isStorePath(p)).toBe(true);
  });
  test('rejects', () => {
    expect(() => parseStorePath('/tmp/x')).toThrow("path '/tmp/x' is not in the Nix store");
    expect(() => parseStorePath('/nix/store/abc')).toThrow("'abc' is too short to be a valid store path");
    expect(() => parseStorePath('/nix/store/eiy6ks60mf7ph72jplycw0ks03ah9q1v-n')).toThrow(
      "store path 'eiy6ks60mf7ph72jplycw0ks03ah9q1v-n' contains illegal base-32 character 'e'",
    );
    expect(() => parseStorePath(`${p}/sub`)).toThrow('is not in the Nix store');
    expect(isStorePath('/nix/store/wiy6ks60mf7ph72jplycw0ks03ah9q1v-')).toBe(false);
  });
});

describe('hashPlaceholder', () => {
  test('matches builtins.placeholder', () => {
    const r = nixEvalJson<string[]>('map builtins.placeholder [ "out" "dev" "x-y" ]');
    expect(['out', 'dev', 'x-y'].map(hashPlaceholder)).toEqual(r);
  });
});
