/**
 * Binary caches between m and real Nix 2.8, both ways, all on 127.0.0.1 / file://: Nix
 * substitutes what `m copy --to` wrote (xz and zstd) and what `m serve` serves, getting the same
 * NAR bytes; m substitutes from caches written by `nix copy --to file://` with Nix's own key; and
 * tampered caches (changed NAR, wrong signature, truncated narinfo) are refused with nothing
 * registered.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@m/store';
import { chainExpr, copyLines, m, mIsBuilt, mKeys, mServe, nonce, run, tempDir } from './helpers';

const hasNix = fs.existsSync('/usr/bin/nix-store');
const work = tempDir('interop');
const nixPaths: string[] = [];

afterAll(async () => {
  // Paths this test put into the machine's real Nix store.
  for (const p of nixPaths.reverse()) await run('nix-store', ['--delete', p]);
  fs.rmSync(work, { recursive: true, force: true });
});

function info(store: string, p: string) {
  const s = openStore({ root: store });
  try {
    return s.queryPathInfo(p);
  } finally {
    s.close();
  }
}

/** Builds a 2-derivation chain in a fresh m store; returns the store and [dep, top] outputs. */
async function mChain(tag: string): Promise<{ store: string; top: string; dep: string }> {
  const store = path.join(work, `store-${tag}`);
  const r = await m(store, ['build', '--no-out-link', '-E', chainExpr(tag, 2)]);
  expect(r.code, r.stderr).toBe(0);
  const top = r.stdout.trim();
  const s = openStore({ root: store });
  const dep = s.references(top).find((x) => x !== top)!;
  s.close();
  return { store, top, dep };
}

describe.skipIf(!hasNix || !mIsBuilt())('m and Nix 2.8 exchange paths through binary caches', () => {
  let keys: { secretFile: string; pub: string };
  beforeAll(async () => {
    keys = await mKeys(work, 'm-test-1');
  });

  it.each(['xz', 'zstd'])('Nix substitutes from a file:// cache that m copy --to wrote (%s)', async (compression) => {
    const { store, top, dep } = await mChain(`to-${compression}-${nonce()}`);
    const cache = path.join(work, `cache-${compression}`);
    const r = await m(store, ['copy', '--to', `file://${cache}?compression=${compression}`, '--secret-key-file', keys.secretFile, top]);
    expect(r.code, r.stderr).toBe(0);
    expect(copyLines(r.stderr)).toHaveLength(2);
    const narinfo = fs.readFileSync(path.join(cache, `${path.basename(top).slice(0, 32)}.narinfo`), 'utf8');
    expect(narinfo).toContain(`Compression: ${compression}\n`);
    expect(narinfo).toMatch(/^Sig: m-test-1:/m);
    expect(narinfo).toContain(`References: ${path.basename(dep)}\n`);

    nixPaths.push(top, dep);
    const n = await run('nix-store', ['-r', top, '--option', 'substituters', `file://${cache}`, '--option', 'trusted-public-keys', keys.pub]);
    expect(n.code, n.stderr).toBe(0);
    expect(n.stderr).toContain(`copying path '${top}' from 'file://${cache}'`);
    const hash = await run('nix-store', ['-q', '--hash', top]);
    expect(hash.stdout.trim()).toBe(info(store, top)!.narHash);
    const refs = await run('nix-store', ['-q', '--references', top]);
    expect(refs.stdout.trim()).toBe(dep);
  });

  it('a NAR over 16 MiB is compressed by the xz tool (streaming); Nix and m read it back', async () => {
    const tag = nonce();
    const store = path.join(work, `store-big-${tag}`);
    const expr = `derivation { name = "big-${tag}"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "i=0; while [ $i -lt 17 ]; do head -c 1048576 /dev/zero; i=$((i+1)); done > $out; echo ${tag} >> $out" ]; }`;
    const b = await m(store, ['build', '--no-out-link', '-E', expr]);
    expect(b.code, b.stderr).toBe(0);
    const big = b.stdout.trim();
    const cache = path.join(work, 'cache-big');
    const r = await m(store, ['copy', '--to', `file://${cache}`, '--secret-key-file', keys.secretFile, big]);
    expect(r.code, r.stderr).toBe(0);
    nixPaths.push(big);
    const n = await run('nix-store', ['-r', big, '--option', 'substituters', `file://${cache}`, '--option', 'trusted-public-keys', keys.pub]);
    expect(n.code, n.stderr).toBe(0);
    expect((await run('nix-store', ['-q', '--hash', big])).stdout.trim()).toBe(info(store, big)!.narHash);
    const back = path.join(work, `store-big-back-${tag}`);
    const f = await m(back, ['copy', '--from', `file://${cache}`, '--trusted-public-keys', keys.pub, big]);
    expect(f.code, f.stderr).toBe(0);
    expect(info(back, big)!.narHash).toBe(info(store, big)!.narHash);
  });

  it('Nix substitutes from m serve and gets byte-identical NARs', async () => {
    const { store, top, dep } = await mChain(`serve-${nonce()}`);
    const served = await mServe(store, ['--secret-key-file', keys.secretFile]);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ci = await (await fetch(`${served.url}/nix-cache-info`)).text();
      expect(ci).toContain('StoreDir: /nix/store\n');
      const put = await fetch(`${served.url}/x.narinfo`, { method: 'PUT', body: 'x' });
      expect(put.status).toBe(405);

      nixPaths.push(top, dep);
      const n = await run('nix-store', ['-r', top, '--option', 'substituters', served.url, '--option', 'trusted-public-keys', keys.pub]);
      expect(n.code, n.stderr).toBe(0);
      expect(n.stderr).toContain(`copying path '${dep}' from '${served.url}'`);
      for (const p of [top, dep]) {
        const narinfo = await (await fetch(`${served.url}/${path.basename(p).slice(0, 32)}.narinfo`)).text();
        const url = /^URL: (.*)$/m.exec(narinfo)![1]!;
        const ours = Buffer.from(await (await fetch(`${served.url}/${url}`)).arrayBuffer());
        const dump = await new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const c = spawn('nix-store', ['--dump', p]);
          c.stdout.on('data', (d: Buffer) => chunks.push(d));
          c.on('close', (code: number | null) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`dump ${code}`))));
        });
        expect(ours.equals(dump)).toBe(true);
      }
    } finally {
      served.stop();
    }
  });

  it("Nix uploads into m serve --writable over HTTP PUT, checked against Nix's key", async () => {
    const dir = path.join(work, 'nix-upload');
    fs.mkdirSync(dir);
    await run('nix-store', ['--generate-binary-cache-key', 'nix-up-1', path.join(dir, 'sec'), path.join(dir, 'pub')]);
    const pub = fs.readFileSync(path.join(dir, 'pub'), 'utf8').trim();
    const tag = nonce();
    const inst = await run('nix-instantiate', ['--read-write-mode', '--eval', '-E', `builtins.toFile "up-${tag}" "\${builtins.toFile "updep-${tag}" "${tag}"}"`]);
    const top = JSON.parse(inst.stdout.trim()) as string;
    const dep = (await run('nix-store', ['-q', '--references', top])).stdout.trim();
    nixPaths.push(top, dep);
    const store = path.join(dir, 'store');
    const served = await mServe(store, ['--writable', '--trusted-public-keys', pub]);
    try {
      // Unsigned: refused by the server, nothing imported.
      const unsigned = await run('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--to', served.url, dep]);
      expect(unsigned.code).not.toBe(0);
      expect(unsigned.stderr).toContain('403');
      expect(info(store, dep)).toBeUndefined();
      const cp = await run('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--to', `${served.url}?secret-key=${dir}/sec`, top]);
      expect(cp.code, cp.stderr).toBe(0);
    } finally {
      served.stop();
    }
    for (const p of [top, dep]) expect(info(store, p)!.narHash).toBe((await run('nix-store', ['-q', '--hash', p])).stdout.trim());
    expect(info(store, top)!.references).toEqual([dep]);
  });

  it.each(['xz', 'zstd'])('m substitutes from a cache written by nix copy --to file:// with a Nix key (%s)', async (compression) => {
    const dir = path.join(work, `nix-${compression}`);
    fs.mkdirSync(dir);
    const gen = await run('nix-store', ['--generate-binary-cache-key', 'nix-test-1', path.join(dir, 'sec'), path.join(dir, 'pub')]);
    expect(gen.code, gen.stderr).toBe(0);
    const tag = nonce();
    const inst = await run('nix-instantiate', ['--read-write-mode', '--eval', '-E', `builtins.toFile "top-${tag}" "\${builtins.toFile "dep-${tag}" "${tag}"}"`]);
    expect(inst.code, inst.stderr).toBe(0);
    const top = JSON.parse(inst.stdout.trim()) as string;
    const dep = (await run('nix-store', ['-q', '--references', top])).stdout.trim();
    nixPaths.push(top, dep);
    const cache = path.join(dir, 'cache');
    const cp = await run('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--to', `file://${cache}?secret-key=${dir}/sec&compression=${compression}`, top]);
    expect(cp.code, cp.stderr).toBe(0);

    const store = path.join(dir, 'store');
    const pub = fs.readFileSync(path.join(dir, 'pub'), 'utf8').trim();
    const r = await m(store, ['copy', '--from', `file://${cache}`, '--trusted-public-keys', pub, top]);
    expect(r.code, r.stderr).toBe(0);
    expect(copyLines(r.stderr)).toHaveLength(2);
    for (const p of [top, dep]) {
      const nixHash = (await run('nix-store', ['-q', '--hash', p])).stdout.trim();
      const mine = info(store, p)!;
      expect(mine.narHash).toBe(nixHash);
      expect(mine.ca).toMatch(/^text:sha256:/);
      expect(fs.readFileSync(path.join(store, path.basename(p)), 'utf8')).toBe(fs.readFileSync(p, 'utf8'));
    }
    expect(info(store, top)!.references).toEqual([dep]);
    const verify = await m(store, ['store', 'verify', '--check-contents']);
    expect(verify.code, verify.stderr).toBe(0);
  });
});

describe.skipIf(!mIsBuilt())('tampered caches are refused and nothing is registered', () => {
  let keys: { secretFile: string; pub: string };
  let other: { secretFile: string; pub: string };
  let top: string;
  let source: string;
  beforeAll(async () => {
    keys = await mKeys(work, 'good-1');
    other = await mKeys(work, 'evil-1');
    const c = await mChain(`tamper-${nonce()}`);
    top = c.top;
    source = path.join(work, 'tamper-clean');
    const r = await m(c.store, ['copy', '--to', `file://${source}`, '--secret-key-file', keys.secretFile, top]);
    expect(r.code, r.stderr).toBe(0);
  });

  /** A copy of the clean cache with `edit` applied to the top path's narinfo text / NAR file. */
  function tampered(name: string, edit: (cache: string, narinfoFile: string) => void): string {
    const cache = path.join(work, `tamper-${name}`);
    fs.cpSync(source, cache, { recursive: true });
    edit(cache, path.join(cache, `${path.basename(top).slice(0, 32)}.narinfo`));
    return cache;
  }

  async function expectRefused(cache: string, message: RegExp, extra: string[] = []): Promise<void> {
    const store = path.join(work, `victim-${nonce()}`);
    const r = await m(store, ['copy', '--from', `file://${cache}`, '--trusted-public-keys', keys.pub, ...extra, top]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(info(store, top)).toBeUndefined();
    expect(fs.existsSync(path.join(store, path.basename(top)))).toBe(false);
  }

  it('accepts the untouched cache', async () => {
    const store = path.join(work, `victim-${nonce()}`);
    const r = await m(store, ['copy', '--from', `file://${source}`, '--trusted-public-keys', keys.pub, top]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a changed NAR (FileHash no longer matches)', async () => {
    const cache = tampered('nar', (c, ni) => {
      const url = /^URL: (.*)$/m.exec(fs.readFileSync(ni, 'utf8'))![1]!;
      const evil = path.join(c, 'evil');
      fs.writeFileSync(evil, 'not what was signed\n');
      const xz = spawnSync('xz', ['-c', evil]);
      fs.writeFileSync(path.join(c, url), xz.stdout);
    });
    await expectRefused(cache, /error: file hash mismatch importing path/);
  });

  it('a changed NAR with no FileHash (NarHash no longer matches)', async () => {
    const cache = tampered('narhash', (c, ni) => {
      const text = fs.readFileSync(ni, 'utf8');
      const url = /^URL: (.*)$/m.exec(text)![1]!;
      fs.writeFileSync(ni, text.replace(/^File(Hash|Size): .*\n/gm, ''));
      const nar = spawnSync('xz', ['-d', '-c', path.join(c, url)]).stdout as Buffer;
      const i = nar.indexOf('tamper-');
      nar[i] = 'T'.charCodeAt(0);
      fs.writeFileSync(path.join(c, url), spawnSync('xz', ['-c'], { input: nar }).stdout);
    });
    await expectRefused(cache, /error: hash mismatch importing path[^]*specified: sha256:/);
  });

  it('a signature by a key that is not trusted', async () => {
    const cache = tampered('sig', (_c, ni) => {
      const text = fs.readFileSync(ni, 'utf8');
      // The signature's bytes reversed: well-formed, by the trusted key's name, but not valid.
      fs.writeFileSync(ni, text.replace(/^Sig: good-1:(.*)$/m, (_l, b64: string) => `Sig: good-1:${Buffer.from(b64, 'base64').reverse().toString('base64')}`));
    });
    await expectRefused(cache, /does not have a valid signature for path/);
    await expectRefused(source, /does not have a valid signature for path/, ['--trusted-public-keys', other.pub]);
  });

  it('a truncated narinfo', async () => {
    const cache = tampered('truncated', (_c, ni) => {
      const text = fs.readFileSync(ni, 'utf8');
      fs.writeFileSync(ni, text.slice(0, text.indexOf('NarHash: ') + 20));
    });
    await expectRefused(cache, /NAR info file '.*' is corrupt/);
  });
});
