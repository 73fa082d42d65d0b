/**
 * A hostile binary cache against `m copy --from` (the path every substitution takes): archives
 * that try to leave the staging directory, decompression bombs, narinfos that lie about the path,
 * the NAR location or the size, and `m serve` asked for files outside what it serves. Narinfos
 * are signed with the key the victim trusts: the defence must hold even against a cache whose
 * signing key is in the attacker's hands.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  type NarInfo,
  type NarTree,
  generateSecretKey,
  hashBytes,
  makeTextPath,
  narEncode,
  nixBase32Encode,
  pathFingerprint,
  printHash,
  printNarInfo,
  printPublicKey,
  signDetached,
  toPublicKey,
  treeNarSource,
} from '../../packages/nix-compat/src/index';
import { bin, ensureBuilt } from '../../packages/cli/test/helpers';
import { attempt } from './attempt';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-adv-cache-'));
const key = generateSecretKey('attacker-1');
const pub = printPublicKey(toPublicKey(key));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function runM(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** A store path name for the test, unique per call. */
function victimPath(name: string): string {
  return makeTextPath(name, hashBytes('sha256', randomBytes(16)), [], '/nix/store');
}

/**
 * Writes a cache (nix-cache-info, one NAR file, one narinfo signed by the attacker's key, which the
 * victim trusts) serving `nar` as `storePath`; `tweak` may rewrite the narinfo before signing.
 */
function hostileCache(storePath: string, nar: Buffer, opts: { compression?: 'xz' | 'zstd' | 'none'; tweak?: (i: NarInfo) => void; narSize?: number } = {}): string {
  const dir = fs.mkdtempSync(path.join(work, 'cache-'));
  const compression = opts.compression ?? 'xz';
  const file =
    compression === 'none' ? nar : (spawnSync(compression === 'xz' ? 'xz' : 'zstd', ['-c', '-q'], { input: nar, maxBuffer: 1 << 30 }).stdout as Buffer);
  const fileHash = hashBytes('sha256', file);
  const url = `nar/${nixBase32Encode(fileHash.bytes)}.nar${compression === 'xz' ? '.xz' : compression === 'zstd' ? '.zst' : ''}`;
  fs.mkdirSync(path.join(dir, 'nar'));
  fs.writeFileSync(path.join(dir, url), file);
  fs.writeFileSync(path.join(dir, 'nix-cache-info'), 'StoreDir: /nix/store\n');
  const info: NarInfo = {
    storePath,
    url,
    compression,
    fileHash: printHash(fileHash, 'base32', true),
    fileSize: file.length,
    narHash: printHash(hashBytes('sha256', nar), 'base32', true),
    narSize: opts.narSize ?? nar.length,
    references: [],
    sigs: [],
  };
  opts.tweak?.(info);
  info.sigs = [signDetached(key, pathFingerprint(info.storePath, info.narHash, info.narSize, info.references))];
  fs.writeFileSync(path.join(dir, `${path.basename(storePath).slice(0, 32)}.narinfo`), printNarInfo(info));
  return dir;
}

function nar(tree: NarTree): Buffer {
  return Buffer.concat([...narEncode('', treeNarSource(tree))]);
}

/** Nothing of `storePath` is valid or on disk, and nothing was written beside the store. */
async function expectRefused(cache: string, storePath: string, message: RegExp): Promise<void> {
  const store = fs.mkdtempSync(path.join(work, 'store-'));
  const before = new Set(fs.readdirSync(work));
  const r = await runM(['copy', '--store', store, '--from', `file://${cache}`, '--trusted-public-keys', pub, storePath]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at .*\.(c?js|ts):\d+/);
  expect(fs.existsSync(path.join(store, path.basename(storePath)))).toBe(false);
  expect(fs.readdirSync(store).filter((f) => f !== '.m')).toEqual([]);
  expect([...fs.readdirSync(work)].filter((f) => !before.has(f))).toEqual([]);
  const tmp = path.join(store, '.m', 'tmp');
  expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
}

describe('a hostile binary cache', () => {
  beforeAll(() => ensureBuilt());

  attempt('input', 'NAR with an entry named ".." (signed, hashes consistent)', async () => {
    const p = victimPath('dotdot');
    const evil = nar({ type: 'directory', entries: { '..': { type: 'regular', contents: 'pwned' } } });
    await expectRefused(hostileCache(p, evil), p, /NAR contains invalid file name '\.\.'/);
  });

  attempt('input', 'NAR with an entry name containing a slash', async () => {
    const p = victimPath('slash');
    // Encoded under a same-length placeholder name, then the name's bytes are swapped in.
    const placeholder = nar({ type: 'directory', entries: { aXXXXXXXXXXXXXXX: { type: 'regular', contents: 'pwned' } } });
    const evil = Buffer.from(placeholder.toString('latin1').replace('aXXXXXXXXXXXXXXX', 'a/../../..//esc'.padEnd(16, 'x')), 'latin1');
    await expectRefused(hostileCache(p, evil), p, /NAR contains invalid file name/);
  });

  attempt('input', 'NAR with the same directory entry twice (second would overwrite through the first)', async () => {
    const p = victimPath('dup');
    const one = nar({ type: 'directory', entries: { a: { type: 'symlink', target: '/etc' } } });
    // Splice a second entry "a" (a directory holding "passwd") after the first.
    const two = nar({ type: 'directory', entries: { a: { type: 'directory', entries: { passwd: { type: 'regular', contents: 'x' } } } } });
    const head = one.subarray(0, one.length - 16); // drop the final ")" of the root directory
    const entry = two.subarray(two.indexOf(Buffer.from('entry')) - 8, two.length - 16);
    const evil = Buffer.concat([head, entry, one.subarray(one.length - 16)]);
    await expectRefused(hostileCache(p, evil), p, /NAR directory is not sorted/);
  });

  attempt('input', 'xz decompression bomb (64 MiB of zeros claimed as a 1 KiB NAR)', async () => {
    const p = victimPath('bomb');
    const bomb = Buffer.alloc(64 << 20);
    const cache = hostileCache(p, bomb, { narSize: 1024, tweak: (i) => (i.narHash = printHash(hashBytes('sha256', 'x'), 'base32', true)) });
    await expectRefused(cache, p, /NAR is larger than its NarSize \(1024 bytes\)/);
  });

  attempt('input', 'zstd decompression bomb', async () => {
    const p = victimPath('zbomb');
    const cache = hostileCache(p, Buffer.alloc(64 << 20), { compression: 'zstd', narSize: 4096 });
    await expectRefused(cache, p, /NAR is larger than its NarSize/);
  });

  attempt('input', 'narinfo URL pointing outside the cache (../../etc/passwd)', async () => {
    const p = victimPath('url');
    const cache = hostileCache(p, nar({ type: 'regular', contents: 'hi' }), { tweak: (i) => (i.url = '../../../../../../etc/passwd') });
    await expectRefused(cache, p, /names an invalid file '\.\.\/\.\.\//);
  });

  attempt('input', 'narinfo for a different store path than the one asked for', async () => {
    const p = victimPath('asked');
    const other = victimPath('other');
    const cache = hostileCache(p, nar({ type: 'regular', contents: 'hi' }), { tweak: (i) => (i.storePath = other) });
    await expectRefused(cache, p, /is for '.*-other', not '.*-asked'/);
  });

  attempt('input', 'narinfo whose NarSize is larger than the NAR', async () => {
    const p = victimPath('short');
    const n = nar({ type: 'regular', contents: 'hi' });
    const cache = hostileCache(p, n, { narSize: n.length + 8 });
    await expectRefused(cache, p, /NAR size mismatch importing path/);
  });

  attempt('input', 'narinfo with a reference that is not a store path', async () => {
    const p = victimPath('refs');
    const cache = hostileCache(p, nar({ type: 'regular', contents: 'hi' }), { tweak: (i) => (i.references = ['/nix/store/../../etc/shadow']) });
    await expectRefused(cache, p, /is corrupt/);
  });
});

describe('m serve refuses what is not a valid store path', () => {
  attempt('input', 'm serve: traversal, garbage entries, wrong NAR hashes and writes', async () => {
    ensureBuilt();
    const store = fs.mkdtempSync(path.join(work, 'served-'));
    expect((await runM(['store', 'gc', '--store', store])).code).toBe(0);
    // An entry on disk that is not a valid path (e.g. left by a crash) must not be served.
    const garbage = path.basename(victimPath('garbage'));
    fs.writeFileSync(path.join(store, garbage), 'secret');
    const child = spawn(process.execPath, [bin, 'serve', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => reject(new Error(`m serve exited with ${code}: ${err}`)));
      });
      const get = async (p: string, method = 'GET') => (await fetch(`${url}${p}`, { method, body: method === 'PUT' ? 'x' : undefined })).status;
      expect(await get(`/${garbage.slice(0, 32)}.narinfo`)).toBe(404);
      expect(await get(`/nar/${garbage.slice(0, 32)}-${'0'.repeat(52)}.nar`)).toBe(404);
      expect(await get('/../../../../etc/passwd')).toBe(404);
      expect(await get('/%2e%2e/%2e%2e/etc/passwd')).toBe(404);
      expect(await get('/.m/db.sqlite')).toBe(404);
      expect(await get(`/${garbage.slice(0, 32)}.narinfo`, 'PUT')).toBe(405);
      expect(await get('/nix-cache-info', 'DELETE')).toBe(405);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
