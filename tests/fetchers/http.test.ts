/**
 * builtins.fetchurl / fetchTarball over http:// from a server the test runs on 127.0.0.1, through
 * the real `m instantiate` (whose EvalIO fetches with @m/realise's fetchers), compared with real
 * Nix 2.8 (`nix-instantiate --eval`, `nix-prefetch-url`) on the same URLs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasJsStackTrace, hasNix, mIsBuilt, runCommand, runM, runNix, type RunResult } from '../lib/run';
import { startFileServer, type FileServer } from './server';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-fetchers-http-'));
const store = path.join(work, 'store');
let srv: FileServer;

/** A tarball made by the real tar CLI from `tree` (relative path → contents) with `compress` flags. */
function makeTarball(name: string, tree: Record<string, string>, compress: string[]): Buffer {
  const dir = path.join(work, 'tar-src', name);
  for (const [rel, text] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const out = path.join(work, `${name}.archive`);
  const r = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--mtime=@0', ...compress, '-cf', out, '-C', dir, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return fs.readFileSync(out);
}

/** A zip archive made by Info-ZIP's zip, or by python3's zipfile when zip is not installed. */
function makeZip(name: string, tree: Record<string, string>): Buffer {
  const dir = path.join(work, 'zip-src', name);
  for (const [rel, text] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const out = path.join(work, `${name}.zip`);
  const py = 'import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],"w")\nfor r,ds,fs in os.walk("."):\n  ds.sort()\n  for d in ds: z.write(os.path.join(r,d))\n  for f in sorted(fs): z.write(os.path.join(r,f))\nz.close()\n';
  const r = spawnSync('python3', ['-c', py, out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return fs.readFileSync(out);
}

function m(expr: string, extra: string[] = []): Promise<RunResult> {
  return runM(['--eval', '--strict', ...extra, '-E', expr], { env: { M_STORE: store }, cwd: work });
}
function nix(expr: string): Promise<RunResult> {
  return runNix(['--eval', '--strict', '-E', expr], { cwd: work });
}
function prefetch(args: string[]): Promise<RunResult> {
  return runCommand('nix-prefetch-url', args, { cwd: work });
}
/** The store path (last line) nix-prefetch-url printed with --print-path, and the hash. */
function prefetched(r: RunResult): { hash: string; path: string } {
  expect(r.code, r.stderr).toBe(0);
  const [hash, p] = r.stdout.trim().split('\n');
  return { hash: hash!, path: p! };
}

const TREE = { 'pkg-1.0/README': 'read me\n', 'pkg-1.0/src/main.sh': 'echo main\n', 'pkg-1.0/data/empty': '' };

beforeAll(async () => {
  fs.mkdirSync(store);
  srv = await startFileServer({
    '/hello.txt': 'hello over http\n',
    '/pinned.txt': 'pinned content\n',
    '/offline.txt': 'fetched once, then offline\n',
    '/wrong.txt': 'not what the hash says\n',
    '/pkg.tar.gz': makeTarball('gz', TREE, ['-z']),
    '/pkg.tar': makeTarball('plain', TREE, []),
    '/pkg.tar.xz': makeTarball('xz', TREE, ['-J']),
    '/pkg.tar.bz2': makeTarball('bz2', TREE, ['-j']),
    '/pkg.tar.zst': makeTarball('zst', TREE, ['--zstd']),
    '/pkg.zip': makeZip('zip', TREE),
    '/two-roots.tar.gz': makeTarball('two', { 'a/x': '1', 'b/y': '2' }, ['-z']),
  });
});
afterAll(async () => {
  await srv?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt() || !hasNix)('builtins.fetchurl / fetchTarball over http:// vs Nix 2.8', () => {
  it('fetchurl without a hash: the same store path as nix-instantiate and nix-prefetch-url, and the bytes', async () => {
    const url = `${srv.base}/hello.txt`;
    const expr = `let p = builtins.fetchurl "${url}"; in [ p (builtins.readFile p) ]`;
    const [mine, theirs, pre] = await Promise.all([m(expr), nix(expr), prefetch(['--print-path', url])]);
    expect(mine.stderr).toBe('');
    expect(mine.code).toBe(0);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.stdout).toContain(`"${prefetched(pre).path}"`);
    expect(mine.stdout).toContain('"hello over http\\n"');
  });

  it('fetchurl with sha256 (nix-prefetch-url base32, and SRI) and a name', async () => {
    const url = `${srv.base}/pinned.txt`;
    const { hash } = prefetched(await prefetch(['--print-path', url]));
    const sri = `sha256-${createHash('sha256').update(srv.files.get('/pinned.txt')!).digest('base64')}`;
    const expr = `[ (builtins.fetchurl { url = "${url}"; sha256 = "${hash}"; })
      (builtins.fetchurl { url = "${url}"; sha256 = "${sri}"; name = "renamed"; }) ]`;
    const [mine, theirs] = await Promise.all([m(expr), nix(expr)]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.stdout).toMatch(/-pinned\.txt" "\/nix\/store\/[a-z0-9]{32}-renamed"/);
  });

  for (const ext of ['tar.gz', 'tar', 'tar.xz', 'tar.bz2', 'tar.zst', 'zip']) {
    it(`fetchTarball of a .${ext}, without and with sha256: Nix's store paths, nix-prefetch-url --unpack's hash`, async () => {
      const url = `${srv.base}/pkg.${ext}`;
      const { hash } = prefetched(await prefetch(['--unpack', '--print-path', url]));
      const expr = `let
        a = builtins.fetchTarball "${url}";
        b = builtins.fetchTarball { url = "${url}"; sha256 = "${hash}"; name = "pinned-${ext.replace(/\./g, '-')}"; };
      in [ a b (builtins.readFile "\${a}/src/main.sh") (builtins.readDir b) ]`;
      const [mine, theirs] = await Promise.all([m(expr), nix(expr)]);
      expect(mine.code, mine.stderr).toBe(0);
      expect(mine.stdout).toBe(theirs.stdout);
      expect(mine.stdout).toContain('"echo main\\n"');
    });
  }

  it('a pinned fetch whose content is in the store needs no download (the server no longer has it)', async () => {
    const url = `${srv.base}/offline.txt`;
    const { hash } = prefetched(await prefetch(['--print-path', url]));
    const expr = `builtins.readFile (builtins.fetchurl { url = "${url}"; sha256 = "${hash}"; })`;
    const first = await m(expr);
    expect(first.code, first.stderr).toBe(0);
    const hitsBefore = srv.hits.get('/offline.txt');
    srv.files.delete('/offline.txt');
    const again = await m(expr);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(srv.hits.get('/offline.txt')).toBe(hitsBefore);
  });

  it('a hash mismatch: Nix\'s message at the call, exit 1, nothing added to the store', async () => {
    const url = `${srv.base}/wrong.txt`;
    const zero = '0'.repeat(52);
    const file = path.join(work, 'mismatch.nix');
    fs.writeFileSync(file, `let\n  f = builtins.fetchurl;\nin {\n  x = f {\n    url = "${url}";\n    sha256 = "${zero}";\n  };\n}.x\n`);
    const before = fs.readdirSync(store).sort();
    const [mine, theirs] = await Promise.all([
      runM(['--eval', file], { env: { M_STORE: store }, cwd: work }),
      runNix(['--eval', file], { cwd: work }),
    ]);
    expect(mine.code).toBe(1);
    expect(theirs.code).not.toBe(0); // Nix 2.8 exits 102 on a hash mismatch
    const firstLines = (s: string): string => s.split('\n').slice(0, 3).join('\n');
    expect(firstLines(mine.stderr)).toBe(firstLines(theirs.stderr));
    expect(mine.stderr).toContain(`at ${file}:4:7:`);
    expect(hasJsStackTrace(mine.stderr)).toBe(false);
    expect(fs.readdirSync(store).sort()).toEqual(before);
  });

  it('fetchTarball with a wrong sha256: nothing added either', async () => {
    const before = fs.readdirSync(store).sort();
    const r = await m(`builtins.fetchTarball { url = "${srv.base}/pkg.tar.gz"; sha256 = "${'1'.repeat(52)}"; name = "never"; }`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hash mismatch in file downloaded from 'http:\/\/127\.0\.0\.1:\d+\/pkg\.tar\.gz':\n\s+specified: sha256:1{52}\n\s+got: +sha256:[0-9a-z]{52}/);
    expect(r.stderr).toContain('«string»:1:1');
    expect(fs.readdirSync(store).sort()).toEqual(before);
  });

  it('404 and a refused connection: clear errors at the call, exit 1', async () => {
    const [notFound, theirs] = await Promise.all([
      m(`builtins.fetchTarball "${srv.base}/missing.tar.gz"`),
      nix(`builtins.fetchTarball "${srv.base}/missing.tar.gz"`),
    ]);
    expect(notFound.code).toBe(1);
    expect(theirs.code).toBe(1);
    expect(notFound.stderr).toContain(`error: unable to download '${srv.base}/missing.tar.gz': HTTP error 404`);
    expect(theirs.stderr).toContain(`error: unable to download '${srv.base}/missing.tar.gz': HTTP error 404`);
    expect(notFound.stderr).toContain('«string»:1:1');

    const refused = await m(`{ a = builtins.fetchurl "http://127.0.0.1:1/x"; }.a`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unable to download 'http:\/\/127\.0\.0\.1:1\/x': .*(connect|refused)/i);
    expect(refused.stderr).toContain('«string»:1:7');
    expect(hasJsStackTrace(refused.stderr)).toBe(false);
  });

  it('fetchTarball of a file that is no archive: a clear error (Nix 2.8\'s libarchive reads text as an mtree spec)', async () => {
    const r = await m(`builtins.fetchTarball "${srv.base}/hello.txt"`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot unpack '${srv.base}/hello.txt': it is not a tar archive (plain, gzip, xz, bzip2 or zstd) or a zip archive`);
    expect(r.stderr).toContain('«string»:1:1');
  });

  it('a tarball with two top-level entries: the same error as Nix', async () => {
    const [mine, theirs] = await Promise.all([m(`builtins.fetchTarball "${srv.base}/two-roots.tar.gz"`), nix(`builtins.fetchTarball "${srv.base}/two-roots.tar.gz"`)]);
    expect(mine.code).toBe(1);
    expect(theirs.code).toBe(1);
    expect(mine.stderr.split('\n')[0]).toBe(theirs.stderr.split('\n')[0]);
  });
});
