import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storePathHashPart } from '@m/nix-compat';
import { createRefScanner, runBuild, scanPathForReferences } from '../src/index';
import { type TestStore, fakeStorePath, makeTestStore, randomHashPart, shRequest } from './helpers';

let store: TestStore;
beforeAll(() => {
  store = makeTestStore();
});
afterAll(() => store.cleanup());

const enc = (s: string) => new TextEncoder().encode(s);

describe('reference scanner', () => {
  it('finds a hash wherever the stream is split, including one-byte chunks', () => {
    const h = randomHashPart();
    const other = randomHashPart();
    const data = enc(`xx/nix/store/${h}-foo yy`);
    for (let cut = 0; cut <= data.length; cut++) {
      const s = createRefScanner([h, other]);
      s.feed(data.subarray(0, cut));
      s.feed(data.subarray(cut));
      expect([...s.found()]).toEqual([h]);
    }
    const s = createRefScanner([h]);
    for (const b of data) s.feed(Uint8Array.of(b));
    expect([...s.found()]).toEqual([h]);
  });

  it('does not invent a hash from pieces separated by other data', () => {
    const h = randomHashPart();
    const s = createRefScanner([h]);
    s.feed(enc(h.slice(0, 16)));
    s.feed(enc('-'));
    s.feed(enc(h.slice(16)));
    expect(s.found().size).toBe(0);
  });

  it('finds hashes in contents, symlink targets and names, but only needles', () => {
    const [a, b, c, d] = [randomHashPart(), randomHashPart(), randomHashPart(), randomHashPart()];
    const dir = path.join(store.physical, 'scan-tree');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'file'), `prefix ${a} suffix`);
    fs.symlinkSync(`/nix/store/${b}-dep/bin`, path.join(dir, 'link'));
    fs.writeFileSync(path.join(dir, `${c}-named`), '');
    fs.writeFileSync(path.join(dir, 'unrelated'), randomHashPart());
    expect([...scanPathForReferences(dir, [a, b, c, d])].sort()).toEqual([a, b, c].sort());
  });
});

describe('references of a build', () => {
  it('finds a hash split across a 64 KiB read boundary, and in symlinks', async () => {
    const dep = fakeStorePath('dep');
    const linked = fakeStorePath('linked');
    const unused = fakeStorePath('unused');
    for (const p of [dep, linked, unused]) store.add(p, 'x');
    const out = fakeStorePath('refs-out');
    const h = storePathHashPart(dep);
    // 65536 - 10 bytes of filler, then the path: its hash starts 11 bytes later and straddles 65536.
    const script = [
      'mkdir $out',
      `head -c ${65536 - 10 - 11} /dev/zero > $out/big`,
      `printf '${dep}' >> $out/big`,
      'head -c 1000 /dev/zero >> $out/big',
      `ln -s ${linked}/bin $out/link`,
      'echo $out > $out/self',
    ].join('; ');
    const r = await runBuild(shRequest(store, `${script}`, { inputPaths: [dep, linked, unused], outputs: { out }, env: { out } }));
    const big = fs.readFileSync(path.join(r.outputs.out!, 'big'));
    const at = big.indexOf(h);
    expect(at).toBeLessThan(65536);
    expect(at + 32).toBeGreaterThan(65536);
    expect(r.references.out).toEqual([dep, linked, out].sort());
    fs.rmSync(r.tempDir, { recursive: true });
  });

  it('refuses a FIFO in an output without opening it, naming its logical path, and leaves no temp dir', async () => {
    const out = fakeStorePath('fifo-out');
    const tempDir = fs.mkdtempSync(path.join(store.physical, 'fifo-tmp-'));
    const t = Date.now();
    const err = await runBuild(shRequest(store, 'mkdir $out; mkfifo $out/pipe', { outputs: { out }, env: { out }, tempDir })).catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toBe(`file '${out}/pipe' has an unsupported type`);
    expect(Date.now() - t).toBeLessThan(30_000);
    // The caller's temp dir is emptied (the caller removes it).
    expect(fs.readdirSync(tempDir)).toEqual([]);
  });

  it('refuses sockets and devices in a tree without connecting to or opening them', async () => {
    const dir = path.join(store.physical, 'special-tree');
    fs.mkdirSync(dir);
    const server = net.createServer();
    let connections = 0;
    server.on('connection', (c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((res) => server.listen(path.join(dir, 'sock'), res));
    try {
      expect(() => scanPathForReferences(dir, [randomHashPart()], '/nix/store/x-out')).toThrow("file '/nix/store/x-out/sock' has an unsupported type");
      expect(connections).toBe(0);
    } finally {
      await new Promise((res) => server.close(res));
    }
    expect(() => scanPathForReferences('/dev/null', [])).toThrow("file '/dev/null' has an unsupported type");
  });
});
