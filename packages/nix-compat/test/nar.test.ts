import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type NarEntry,
  type NarTree,
  base16Encode,
  concatBytes,
  narDecodeAll,
  narEncode,
  narHash,
  treeNarSource,
  utf8,
} from '../src/index';
import { fsNarSource } from './fs-nar-source';
import { nix, nixBuffer } from './nix-oracle';

let root: string;
const fs = fsNarSource();

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'm-nar-'));
  const d = join(root, 'tree');
  mkdirSync(join(d, 'sub', 'deeper', 'deepest'), { recursive: true });
  mkdirSync(join(d, 'empty-dir'));
  writeFileSync(join(d, 'hello.txt'), 'hello\n');
  writeFileSync(join(d, 'empty'), '');
  writeFileSync(join(d, 'eight'), '12345678');
  writeFileSync(join(d, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(d, 'run.sh'), 0o755);
  writeFileSync(join(d, 'big.bin'), Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 7919) & 255)));
  for (const n of ['B', 'a', 'a.b', 'a-b', 'aa', 'Z', '_', 'é', 'z~']) writeFileSync(join(d, 'sub', n), n);
  writeFileSync(join(d, 'sub', 'deeper', 'deepest', 'leaf'), 'leaf');
  symlinkSync('hello.txt', join(d, 'link'));
  symlinkSync('/nonexistent/target', join(d, 'sub', 'dangling'));
  symlinkSync('../..', join(d, 'sub', 'deeper', 'up'));
  writeFileSync(join(root, 'single'), 'just a file');
  writeFileSync(join(root, 'single-exe'), 'x');
  chmodSync(join(root, 'single-exe'), 0o700);
  symlinkSync('single', join(root, 'single-link'));
});

const encode = (p: string): Buffer => Buffer.from(concatBytes([...narEncode(p, fs)]));

describe('narEncode against nix-store --dump', () => {
  test.each(['tree', 'single', 'single-exe', 'single-link', 'tree/sub', 'tree/empty-dir'])('%s', (rel) => {
    const p = join(root, rel);
    const ours = encode(p);
    const theirs = nixBuffer('nix-store', ['--dump', p]);
    expect(ours.length).toBe(theirs.length);
    expect(ours.equals(theirs)).toBe(true);
    const { hash, narSize } = narHash(p, fs);
    expect(base16Encode(hash.bytes)).toBe(nix('nix-hash', ['--type', 'sha256', p]).trim());
    expect(narSize).toBe(theirs.length);
  });
});

/** Rebuilds a NarTree from decoded entries. */
function treeOf(entries: NarEntry[]): NarTree {
  const make = (e: NarEntry): NarTree =>
    e.type === 'directory'
      ? { type: 'directory', entries: new Map() }
      : e.type === 'symlink'
        ? { type: 'symlink', target: e.target }
        : { type: 'regular', executable: e.executable, contents: e.contents };
  const nodes = new Map<string, NarTree>();
  for (const e of entries) {
    const n = make(e);
    nodes.set(e.path, n);
    if (e.path !== '') {
      const slash = e.path.lastIndexOf('/');
      const parent = nodes.get(e.path.slice(0, slash))!;
      if (parent.type !== 'directory' || !(parent.entries instanceof Map)) throw new Error('bad parent');
      parent.entries.set(e.path.slice(slash + 1), n);
    }
  }
  return nodes.get('')!;
}

describe('narDecode', () => {
  test('decodes nix-store --dump and re-encodes identically, in any chunking', () => {
    const nar = nixBuffer('nix-store', ['--dump', join(root, 'tree')]);
    const entries = narDecodeAll([nar]);
    const paths = entries.map((e) => e.path);
    expect(paths[0]).toBe('');
    expect(paths).toContain('/sub/deeper/deepest/leaf');
    const exe = entries.find((e) => e.path === '/run.sh');
    expect(exe).toMatchObject({ type: 'regular', executable: true });
    expect(entries.find((e) => e.path === '/link')).toEqual({ type: 'symlink', path: '/link', target: 'hello.txt' });
    const again = Buffer.from(concatBytes([...narEncode('', treeNarSource(treeOf(entries)))]));
    expect(again.equals(nar)).toBe(true);
    // 1-byte and odd-sized chunks.
    const small: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) small.push(nar.subarray(i, i + 1));
    for (let i = 5000; i < nar.length; i += 1237) small.push(nar.subarray(i, i + 1237));
    expect(narDecodeAll(small)).toEqual(entries);
  });
});

/** Hand-built NAR pieces for hostile inputs. */
function str(s: string | Uint8Array): Uint8Array {
  const b = typeof s === 'string' ? utf8(s) : s;
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(b.length), true);
  return concatBytes([len, b, new Uint8Array((8 - (b.length % 8)) % 8)]);
}
const nar = (...tokens: (string | Uint8Array)[]): Uint8Array[] => [concatBytes(tokens.map(str))];
const file = ['(', 'type', 'regular', 'contents', 'x', ')'];
const entry = (name: string | Uint8Array, ...node: string[]): (string | Uint8Array)[] => ['entry', '(', 'name', name, 'node', ...node, ')'];
const dir = (...entries: (string | Uint8Array)[][]): (string | Uint8Array)[] => ['(', 'type', 'directory', ...entries.flat(), ')'];

describe('narDecode rejects hostile input', () => {
  const cases: [string, Uint8Array[], string][] = [
    ['bad magic', nar('nix-archive-2', ...file), "bad archive: input doesn't look like a Nix archive"],
    ['empty input', [], "bad archive: input doesn't look like a Nix archive"],
    ['unsorted', nar('nix-archive-1', ...dir(entry('b', ...file), entry('a', ...file))), 'NAR directory is not sorted'],
    ['duplicate', nar('nix-archive-1', ...dir(entry('a', ...file), entry('a', ...file))), 'NAR directory is not sorted'],
    ['dot-dot', nar('nix-archive-1', ...dir(entry('..', ...file))), "NAR contains invalid file name '..'"],
    ['dot', nar('nix-archive-1', ...dir(entry('.', ...file))), "NAR contains invalid file name '.'"],
    ['slash', nar('nix-archive-1', ...dir(entry('a/b', ...file))), "NAR contains invalid file name 'a/b'"],
    ['empty name', nar('nix-archive-1', ...dir(entry('', ...file))), "NAR contains invalid file name ''"],
    ['NUL', nar('nix-archive-1', ...dir(entry('a\0b', ...file))), 'NAR contains invalid file name'],
    ['unknown type', nar('nix-archive-1', '(', 'type', 'fifo', ')'), 'bad archive: unknown file type fifo'],
    ['unknown field', nar('nix-archive-1', '(', 'type', 'regular', 'mode', '0', ')'), 'bad archive: unknown field mode'],
    ['exe value', nar('nix-archive-1', '(', 'type', 'regular', 'executable', 'yes', ')'), 'bad archive: executable marker has non-empty value'],
    ['trailing', nar('nix-archive-1', ...file, 'more'), 'bad archive: trailing data after the archive'],
    ['truncated', [nar('nix-archive-1', ...file)[0]!.subarray(0, 60)], 'bad archive: unexpected end of archive'],
    ['no open tag', nar('nix-archive-1', 'type', 'regular'), 'bad archive: expected open tag'],
    ['huge length', [concatBytes([str('nix-archive-1'), new Uint8Array(8).fill(255)])], 'bad archive: length field too large'],
  ];
  test.each(cases)('%s', (_, input, message) => {
    expect(() => narDecodeAll(input)).toThrow(message);
  });

  test('non-zero padding', () => {
    const b = nar('nix-archive-1', ...file)[0]!.slice();
    // The "x" contents byte is followed by 7 padding bytes; corrupt one.
    const idx = b.lastIndexOf(0x78) + 1;
    b[idx] = 1;
    expect(() => narDecodeAll([b])).toThrow('bad archive: non-zero padding');
  });

  test('excessive nesting', () => {
    let node: (string | Uint8Array)[] = file;
    for (let i = 0; i < 1100; i++) node = dir(entry('d', ...(node as string[])));
    expect(() => narDecodeAll(nar('nix-archive-1', ...node))).toThrow('bad archive: directory nesting too deep');
  });
});
