/**
 * fetchTarball of local tarballs vs. real Nix 2.8: hostile members (`..`, absolute names, symlinks
 * leading out and written through, hard links out) give an error where Nix gives one and the same
 * store path where Nix unpacks, and nothing is ever written outside the scratch directory.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { mkStoreEvaluator, nixErrors } from './store-oracle';

const hasNix = (() => {
  try {
    execFileSync('nix-instantiate', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const work = mkdtempSync(join(tmpdir(), 'm-tarball-test-'));
/** Where the hostile members point; it must stay empty. */
const outside = join(work, 'outside');
mkdirSync(outside);
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Member = { path: string; type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO'; data?: string; linkpath?: string; mode?: number };

function tarOf(members: Member[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.data ?? '');
    const type = m.type ?? 'File';
    const h = new Header({
      path: m.path,
      type,
      mode: m.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: type === 'File' ? data.length : 0,
      linkpath: m.linkpath,
      mtime: new Date(1000),
      uid: 0,
      gid: 0,
    });
    h.encode();
    blocks.push(h.block!);
    if (type === 'File') blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const cases: [string, Member[]][] = [
  ['absolute member names', [{ path: '/top/a', data: 'a' }]],
  ['a member with ..', [{ path: 'top/a' }, { path: 'top/../../evil', data: 'x' }]],
  ['a member named .. inside', [{ path: 'top/x/../a' }]],
  ['absolute and escaping symlink targets kept verbatim', [{ path: 'top/a' }, { path: 'top/l', type: 'SymbolicLink', linkpath: '/etc/passwd' }, { path: 'top/r', type: 'SymbolicLink', linkpath: '../../x' }]],
  ['a file written through a symlink out', [{ path: 'top/a' }, { path: 'top/l', type: 'SymbolicLink', linkpath: outside }, { path: 'top/l/f', data: 'pwned' }]],
  ['a directory written through a symlink out', [{ path: 'top/a' }, { path: 'top/l', type: 'SymbolicLink', linkpath: outside }, { path: 'top/l/d', type: 'Directory' }]],
  ['a relative symlink out, written through', [{ path: 'top/l', type: 'SymbolicLink', linkpath: '../../../../../../..' + outside }, { path: 'top/l/f', data: 'pwned' }]],
  ['a hard link out with ..', [{ path: 'top/a' }, { path: 'top/h', type: 'Link', linkpath: '../etc/passwd' }]],
  ['an absolute hard link', [{ path: 'top/a' }, { path: 'top/h', type: 'Link', linkpath: '/etc/hostname' }]],
  ['a hard link inside', [{ path: 'top/a', data: 'hello' }, { path: 'top/h', type: 'Link', linkpath: 'top/a' }]],
  ['a symlink replaced by a file', [{ path: 'top/l', type: 'SymbolicLink', linkpath: outside }, { path: 'top/l', data: 'now a file' }]],
  ['modes: executable and not', [{ path: 'top/x', data: '#!/bin/sh\n', mode: 0o755 }, { path: 'top/y', data: 'y', mode: 0o600 }, { path: 'top/z', data: 'z', mode: 0o100 }]],
  ['two top-level members', [{ path: 'a' }, { path: 'b' }]],
];

describe.skipIf(!hasNix)('fetchTarball of hostile tarballs, as Nix 2.8', () => {
  const { ev } = mkStoreEvaluator();
  const files = cases.map(([, members], i) => {
    const f = join(work, `case${i}.tar${i % 2 ? '.gz' : ''}`);
    const tar = tarOf(members);
    writeFileSync(f, i % 2 ? gzipSync(tar) : tar);
    return f;
  });
  const exprOf = (f: string): string => `builtins.fetchTarball "file://${f}"`;

  /** Nix's store path, or undefined when Nix refuses the tarball. */
  const nixResults = Promise.all(
    files.map(
      (f) =>
        new Promise<string | undefined>((resolve) => {
          try {
            const out = execFileSync('nix-instantiate', ['--eval', '--read-write-mode', '-E', exprOf(f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
            resolve(JSON.parse(out.trim()) as string);
          } catch {
            resolve(undefined);
          }
        }),
    ),
  );

  cases.forEach(([name], i) => {
    it(name, async () => {
      const expected = (await nixResults)[i];
      let ours: string | undefined;
      let error: string | undefined;
      try {
        ours = JSON.parse(ev.toJSON(ev.evalString(exprOf(files[i]!), '/', '«string»'))) as string;
      } catch (e) {
        error = (e as Error).message;
      }
      if (expected === undefined) expect(error, `Nix refuses this tarball; m gave ${ours}`).toBeDefined();
      else expect(ours, error).toBe(expected);
      expect(readdirSync(outside)).toEqual([]);
    });
  });

  it('errors read like Nix', async () => {
    const [dotdot, through] = await nixErrors([exprOf(files[1]!), exprOf(files[4]!)]);
    expect(dotdot).toMatch(/Path contains '\.\.'/);
    expect(through).toMatch(/Cannot extract through symlink/);
    expect(() => ev.evalString(exprOf(files[1]!), '/', '«string»')).toThrow(/failed to extract archive .*Path contains '\.\.'/);
    expect(() => ev.evalString(exprOf(files[4]!), '/', '«string»')).toThrow(/failed to extract archive .*Cannot extract through symlink/);
  });

  it('a GNU tar pax archive with long names, long link targets and modes unpacks as in Nix', async () => {
    const src = join(work, 'src', 'top');
    const deep = join(src, 'd'.repeat(90), 'e'.repeat(90));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, `${'f'.repeat(120)}.txt`), 'long\n');
    writeFileSync(join(src, 'run'), '#!/bin/sh\n');
    chmodSync(join(src, 'run'), 0o755);
    symlinkSync(`../${'t'.repeat(150)}`, join(src, 'link'));
    const f = join(work, 'gnu-pax.tar.gz');
    execFileSync('tar', ['--format=pax', '--sort=name', '-C', join(work, 'src'), '-czf', f, 'top']);
    const expected = JSON.parse(execFileSync('nix-instantiate', ['--eval', '--read-write-mode', '-E', exprOf(f)], { encoding: 'utf8' }).trim());
    expect(JSON.parse(ev.toJSON(ev.evalString(exprOf(f), '/', '«string»')))).toBe(expected);
  });

  it('xz and other compressions are NOT_AVAILABLE, garbage is an error', () => {
    const xz = join(work, 'x.tar.xz');
    writeFileSync(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]));
    expect(() => ev.evalString(exprOf(xz), '/', '«string»')).toThrow(/only plain and gzip-compressed tarballs/);
    const truncated = join(work, 'truncated.tar.gz');
    writeFileSync(truncated, gzipSync(tarOf([{ path: 'top/a', data: 'x'.repeat(5000) }])).subarray(0, 60));
    expect(() => ev.evalString(exprOf(truncated), '/', '«string»')).toThrow(/failed to extract archive|unexpected number/);
  });
});
