/**
 * Substitution in builds: two m stores on one machine share builds only through a binary cache
 * (the second builds nothing — no `building` line, no build log); a cache that is down costs one
 * timeout, then everything builds locally; a tampered download fails the build with a clear
 * error (and `--fallback` builds instead); and makes' writers: `m . /x` pushes to the
 * `cache.extra.<name>` with `write = true` using the token from the environment.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@m/store';
import { buildLines, chainExpr, copyLines, m, mIsBuilt, mKeys, mServe, nonce, tempDir } from './helpers';

const work = tempDir('subst');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function logCount(store: string): number {
  const logs = path.join(store, '.m', 'logs');
  return fs.existsSync(logs) ? fs.readdirSync(logs).length : 0;
}

function valid(store: string, p: string): boolean {
  const s = openStore({ root: store });
  try {
    return s.isValid(p);
  } finally {
    s.close();
  }
}

describe.skipIf(!mIsBuilt())('m build substitutes before building', () => {
  let keys: { secretFile: string; pub: string };
  let storeA: string;
  let top: string;
  let expr: string;
  beforeAll(async () => {
    keys = await mKeys(work, 'subst-1');
    storeA = path.join(work, 'A');
    expr = chainExpr(`share-${nonce()}`, 3);
    const r = await m(storeA, ['build', '--no-out-link', '-E', expr]);
    expect(r.code, r.stderr).toBe(0);
    expect(buildLines(r.stderr)).toHaveLength(3);
    top = r.stdout.trim();
  });

  it('a second store builds nothing when m serve of the first is a substituter', async () => {
    const served = await mServe(storeA, ['--secret-key-file', keys.secretFile]);
    try {
      const storeB = path.join(work, 'B-http');
      const r = await m(storeB, ['build', '--no-out-link', '-E', expr, '--substituters', served.url, '--trusted-public-keys', keys.pub]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(top);
      expect(buildLines(r.stderr)).toEqual([]);
      expect(copyLines(r.stderr)).toHaveLength(3);
      expect(logCount(storeB)).toBe(0);
      const v = await m(storeB, ['store', 'verify', '--check-contents']);
      expect(v.code, v.stderr).toBe(0);
    } finally {
      served.stop();
    }
  });

  it('the same through a file:// cache, configured by M_SUBSTITUTERS', async () => {
    const cache = path.join(work, 'file-cache');
    const cp = await m(storeA, ['copy', '--to', `file://${cache}?compression=zstd`, '--secret-key-file', keys.secretFile, top]);
    expect(cp.code, cp.stderr).toBe(0);
    const storeB = path.join(work, 'B-file');
    const env = { M_SUBSTITUTERS: `file://${cache}`, M_TRUSTED_PUBLIC_KEYS: keys.pub };
    const r = await m(storeB, ['build', '--no-out-link', '-E', expr], env);
    expect(r.code, r.stderr).toBe(0);
    expect(buildLines(r.stderr)).toEqual([]);
    expect(logCount(storeB)).toBe(0);
    // Without the key the cache's signatures are not trusted: a warning, then local builds.
    const storeC = path.join(work, 'C-file');
    const u = await m(storeC, ['build', '--no-out-link', '-E', expr], { M_SUBSTITUTERS: `file://${cache}` });
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toContain('does not have a valid signature');
    expect(buildLines(u.stderr)).toHaveLength(3);
  });

  it('m copy --to an m serve --writable (token, signatures), which a third store then substitutes from', async () => {
    const storeW = path.join(work, 'W');
    // m's store keeps no signatures: what m serve serves, it signs with its own key.
    const served = await mServe(storeW, ['--writable', '--trusted-public-keys', keys.pub, '--secret-key-file', keys.secretFile], { M_SERVE_TOKEN: 'tok-1' });
    try {
      const wrongToken = await m(storeA, ['copy', '--to', served.url, '--secret-key-file', keys.secretFile, top], { M_CACHE_TOKEN: 'nope' });
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.stderr).toContain('HTTP error 401 (Unauthorized): a valid token is required to upload');
      const unsigned = await m(storeA, ['copy', '--to', served.url, top], { M_CACHE_TOKEN: 'tok-1' });
      expect(unsigned.code).toBe(1);
      expect(unsigned.stderr).toContain('no valid signature by a trusted key');
      const ok = await m(storeA, ['copy', '--to', served.url, '--secret-key-file', keys.secretFile, top], { M_CACHE_TOKEN: 'tok-1' });
      expect(ok.code, ok.stderr).toBe(0);
      expect(valid(storeW, top)).toBe(true);
      const storeD = path.join(work, 'D-from-W');
      const r = await m(storeD, ['build', '--no-out-link', '-E', expr, '--substituters', served.url, '--trusted-public-keys', keys.pub]);
      expect(r.code, r.stderr).toBe(0);
      expect(buildLines(r.stderr)).toEqual([]);
      expect(copyLines(r.stderr)).toHaveLength(3);
    } finally {
      served.stop();
    }
  });

  it('a tampered NAR fails the build with a clear error; --fallback builds instead', async () => {
    const cache = path.join(work, 'bad-cache');
    const cp = await m(storeA, ['copy', '--to', `file://${cache}?compression=none`, '--secret-key-file', keys.secretFile, top]);
    expect(cp.code, cp.stderr).toBe(0);
    for (const f of fs.readdirSync(path.join(cache, 'nar'))) {
      const file = path.join(cache, 'nar', f);
      const nar = fs.readFileSync(file);
      nar[nar.length - 20] ^= 1;
      fs.writeFileSync(file, nar);
    }
    const storeB = path.join(work, 'B-bad');
    const args = ['build', '--no-out-link', '-E', expr, '--substituters', `file://${cache}`, '--trusted-public-keys', keys.pub];
    const r = await m(storeB, args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: file hash mismatch importing path/);
    expect(r.stderr).toContain("use '--fallback'");
    expect(valid(storeB, top)).toBe(false);
    const f = await m(storeB, [...args, '--fallback']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).toContain('building instead (--fallback)');
    expect(buildLines(f.stderr).length).toBeGreaterThan(0);
    expect(f.stdout.trim()).toBe(top);
  });

  it('a cache that is down costs one timeout, then everything builds locally', async () => {
    // Accepts connections and requests, and never answers.
    const sockets: net.Socket[] = [];
    const requests: string[] = [];
    const hole = net.createServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => requests.push(d.toString('latin1').split('\r\n')[0]!));
    });
    await new Promise<void>((res) => hole.listen(0, '127.0.0.1', res));
    const port = (hole.address() as AddressInfo).port;
    try {
      const storeB = path.join(work, 'B-down');
      const fresh = chainExpr(`down-${nonce()}`, 3);
      const r = await m(storeB, ['build', '--no-out-link', '-E', fresh, '--substituters', `http://127.0.0.1:${port}`, '--option', 'connect-timeout', '2']);
      expect(r.code, r.stderr).toBe(0);
      expect(buildLines(r.stderr)).toHaveLength(3);
      expect(r.stderr.match(/not using substituter/g)).toHaveLength(1);
      expect(r.stderr).toContain('timed out after 2 s');
      // One request, so one 2 s timeout — not one per derivation.
      expect(requests).toEqual(['GET /nix-cache-info HTTP/1.1']);
    } finally {
      for (const s of sockets) s.destroy();
      hole.close();
    }
  });
});

/** A writable binary cache: files kept in memory, PUT needs `Authorization: Bearer TOKEN`. */
function putServer(token: string): Promise<{ url: string; files: Map<string, Buffer>; puts: string[]; close(): void }> {
  const files = new Map<string, Buffer>();
  const puts: string[] = [];
  const server = http.createServer((req, res) => {
    const key = (req.url ?? '/').slice(1);
    if (req.method === 'PUT') {
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        files.set(key, Buffer.concat(chunks));
        puts.push(key);
        res.writeHead(200).end();
      });
      return;
    }
    const body = files.get(key);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        files,
        puts,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

describe.skipIf(!mIsBuilt())("makes' cache option: writers push, readers substitute", () => {
  it('m . /x pushes to cache.extra.<name> with write = true, and another store reads it', async () => {
    const keys = await mKeys(work, 'makes-1');
    const srv = await putServer('s3cret');
    try {
      const project = path.join(work, 'project');
      const tag = nonce();
      fs.mkdirSync(path.join(project, 'makes', 'x'), { recursive: true });
      fs.writeFileSync(path.join(project, 'makes', 'x', 'main.nix'), `{ ... }: ${chainExpr(tag, 2)}`);
      fs.writeFileSync(
        path.join(project, 'makes.nix'),
        `{ cache = { readNixos = false; extra.main = { enable = true; pubKey = "${keys.pub}"; token = "M_TEST_CACHE_TOKEN"; type = "http"; url = "${srv.url}"; write = true; }; }; }`,
      );
      const storeA = path.join(work, 'makes-A');
      const a = await m(storeA, ['.', '/x'], { M_TEST_CACHE_TOKEN: 's3cret', M_SECRET_KEY_FILE: keys.secretFile }, project);
      expect(a.code, a.stderr).toBe(0);
      const out = a.stdout.trim();
      expect(a.stderr).toContain(`pushing '${out}' to cache 'main'`);
      expect(srv.puts.filter((p) => p.endsWith('.narinfo'))).toHaveLength(2);
      // The NAR of each path went up before its narinfo.
      const firstInfo = srv.puts.findIndex((p) => p.endsWith('.narinfo'));
      expect(srv.puts[firstInfo - 1]).toMatch(/^nar\//);

      const storeB = path.join(work, 'makes-B');
      const b = await m(storeB, ['.', '/x'], {}, project);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout.trim()).toBe(out);
      expect(copyLines(b.stderr)).toHaveLength(2);
      expect(b.stderr).not.toMatch(/building/);
      expect(logCount(storeB)).toBe(0);
      // Without the token nothing is pushed (and nothing was new anyway).
      expect(b.stderr).not.toContain('pushing');
    } finally {
      srv.close();
    }
  });
});

describe.skipIf(!mIsBuilt())("makes' cache option is checked", () => {
  it.each([
    ['a missing url', 'extra.main = { enable = true; type = "http"; };', /error: The option `cache\.extra\.main\.url' is used but not defined/],
    ['a write flag that is not a Boolean', 'extra.main = { enable = true; type = "http"; url = "file:///x"; write = "yes"; };', /error: A definition for option `cache\.extra\.main\.write' is not of type `boolean'/],
    ['readNixos that is not a Boolean', 'readNixos = 1;', /error: A definition for option `cache\.readNixos' is not of type `boolean'/],
  ])('%s', async (_name, body, message) => {
    const project = fs.mkdtempSync(path.join(work, 'cfg-'));
    fs.mkdirSync(path.join(project, 'makes', 'x'), { recursive: true });
    fs.writeFileSync(path.join(project, 'makes', 'x', 'main.nix'), `{ ... }: ${chainExpr(nonce(), 1)}`);
    fs.writeFileSync(path.join(project, 'makes.nix'), `{ cache = { ${body} }; }`);
    const r = await m(path.join(project, 'store'), ['.', '/x'], {}, project);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(c?js|ts):\d+/);
  });
  it('a disabled cache is not used', async () => {
    const project = fs.mkdtempSync(path.join(work, 'cfg-'));
    fs.mkdirSync(path.join(project, 'makes', 'x'), { recursive: true });
    fs.writeFileSync(path.join(project, 'makes', 'x', 'main.nix'), `{ ... }: ${chainExpr(nonce(), 1)}`);
    fs.writeFileSync(path.join(project, 'makes.nix'), '{ cache = { readNixos = false; extra.off = { enable = false; type = "http"; url = "http://127.0.0.1:9"; }; }; }');
    const r = await m(path.join(project, 'store'), ['.', '/x'], {}, project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('substituter');
  });
});
