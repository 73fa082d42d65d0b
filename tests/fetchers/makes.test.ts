/**
 * makes' fetchers (fetchUrl, fetchArchive, fetchGithub, fetchGitlab, fetchNixpkgs) and
 * builtins.fetchGit in main.nix files, run by the real `m PROJECT /output` (the store's EvalIO,
 * @m/realise's fetchers), from a server on 127.0.0.1 and file:// URLs the test makes. Store paths
 * are compared with real Nix 2.8 on the same URLs (nix-prefetch-url; fetchTarball, which gives the
 * path of nixpkgs' fetchzip fixed-output derivation); failures are positioned at the user's call
 * and leave the store verified and without the path.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, hasJsStackTrace, hasNix, mIsBuilt, runCommand, runNix, type RunResult } from '../lib/run';
import { startFileServer, type FileServer } from './server';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-fetchers-makes-'));
const project = path.join(work, 'project');
const nixpkgsProject = path.join(work, 'nixpkgs-project');
const forge = path.join(work, 'forge'); // a file:// "GitHub" for fetchNixpkgs
const store = path.join(work, 'store');
const repo = path.join(work, 'repo');
let srv: FileServer;
const hashes: Record<string, string> = {};
let notesPath = '';
let wholePath = '';

function sh(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_COMMITTER_DATE: '2023-05-06T07:08:09Z' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

/** A .tar.gz of `dir`'s single child `top`, made by tar. */
function tgz(dir: string, top: string): Buffer {
  const out = path.join(work, `${top}.tar.gz`);
  sh('tar', ['--sort=name', '--owner=0', '--group=0', '--mtime=@0', '-czf', out, '-C', dir, top]);
  return fs.readFileSync(out);
}

function m(cwd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd, env: { M_STORE: store, M_GITHUB_URL: srv.base, M_GITLAB_URL: srv.base, ...env }, timeoutMs: 240_000 });
}

/** Files of a fetch's scratch directories left in the store's .m (none once m has exited). */
function leftovers(): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.name === 'download' || e.name === 'unzipped' || e.name === 'tree') found.push(p);
      else if (e.isDirectory() && e.name !== 'git-cache') walk(p);
    }
  };
  if (fs.existsSync(path.join(store, '.m'))) walk(path.join(store, '.m'));
  return found;
}

/** nix-prefetch-url [--unpack] URL → { hash, path }. */
async function prefetch(url: string, unpack = false): Promise<{ hash: string; path: string }> {
  const r = await runCommand('nix-prefetch-url', [...(unpack ? ['--unpack'] : []), '--print-path', url], { cwd: work });
  expect(r.code, r.stderr).toBe(0);
  const [hash, p] = r.stdout.trim().split('\n');
  return { hash: hash!, path: p! };
}

/** The store path real Nix gives `builtins.fetchTarball { url; sha256; }` (nixpkgs' fetchzip's too). */
async function nixTarballPath(url: string, sha256: string): Promise<string> {
  const r = await runNix(['--eval', '-E', `builtins.fetchTarball { url = "${url}"; sha256 = "${sha256}"; }`], { cwd: work });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim()) as string;
}

beforeAll(async () => {
  fs.mkdirSync(store);
  write(path.join(work, 'src'), { 'tool-2.0/bin/tool': 'echo tool 2.0\n', 'tool-2.0/README': 'a tool\n' });
  write(path.join(work, 'gh'), { 'repo-v1/hello.txt': 'from the github archive\n' });
  write(path.join(work, 'gl'), { 'repo-v2/hello.txt': 'from the gitlab archive\n' });
  srv = await startFileServer({
    '/notes.txt': 'release notes\n',
    '/tool.tar.gz': tgz(path.join(work, 'src'), 'tool-2.0'),
    '/owner/repo/archive/v1.tar.gz': tgz(path.join(work, 'gh'), 'repo-v1'),
    '/group/repo/-/archive/v2.tar.gz': tgz(path.join(work, 'gl'), 'repo-v2'),
  });

  // A tiny "nixpkgs": default.nix is a function of { config, overlays } returning a set with lib.
  write(path.join(work, 'np'), {
    'nixpkgs-0123abc/default.nix': `{ config ? { }, overlays ? [ ] }:
let
  fix = f: let x = f x; in x;
  base = self: { lib = import ./lib; inherit config; greeting = "from the fetched nixpkgs"; hello = throw "nixpkgs' own hello needs its stdenv"; };
in fix (self: builtins.foldl' (acc: o: acc // o self acc) (base self) overlays)
`,
    'nixpkgs-0123abc/lib/default.nix': `{ version = "23.05.fake"; toUpper = builtins.replaceStrings [ "a" "b" ] [ "A" "B" ]; }\n`,
  });
  fs.mkdirSync(path.join(forge, 'nixos', 'nixpkgs', 'archive'), { recursive: true });
  fs.writeFileSync(path.join(forge, 'nixos', 'nixpkgs', 'archive', '0123abc.tar.gz'), tgz(path.join(work, 'np'), 'nixpkgs-0123abc'));

  fs.mkdirSync(repo);
  sh('git', ['init', '-q', '-b', 'main'], repo);
  write(repo, { 'lib.sh': 'echo from git\n' });
  sh('git', ['add', '.'], repo);
  sh('git', ['commit', '-q', '-m', 'one'], repo);

  if (!hasNix) return;
  const got = await Promise.all([
    prefetch(`${srv.base}/notes.txt`),
    prefetch(`${srv.base}/tool.tar.gz`, true),
    prefetch(`${srv.base}/owner/repo/archive/v1.tar.gz`, true),
    prefetch(`${srv.base}/group/repo/-/archive/v2.tar.gz`, true),
    prefetch(`file://${forge}/nixos/nixpkgs/archive/0123abc.tar.gz`, true),
  ]);
  [hashes.notes, hashes.tool, hashes.gh, hashes.gl, hashes.np] = got.map((g) => g.hash);
  notesPath = got[0]!.path;
  // stripRoot = false: the archive unpacked as a whole, hashed by nix-hash (nixpkgs' fetchzip output).
  const whole = path.join(work, 'whole', 'source');
  fs.mkdirSync(whole, { recursive: true });
  sh('tar', ['-xzf', path.join(work, 'tool-2.0.tar.gz'), '-C', whole]);
  hashes.whole = sh('nix-hash', ['--type', 'sha256', '--base32', whole]);
  const r = await runNix(['--eval', '-E', `builtins.path { path = ${whole}; name = "source"; sha256 = "${hashes.whole}"; }`], { cwd: work });
  wholePath = JSON.parse(r.stdout.trim()) as string;

  write(project, {
    'makes/fetched/main.nix': `{ fetchUrl, fetchArchive, fetchGithub, fetchGitlab, makeScript, ... }:
let
  notes = fetchUrl { url = "${srv.base}/notes.txt"; sha256 = "${hashes.notes}"; };
  tool = fetchArchive { url = "${srv.base}/tool.tar.gz"; sha256 = "${hashes.tool}"; };
  gh = fetchGithub { owner = "owner"; repo = "repo"; rev = "v1"; sha256 = "${hashes.gh}"; };
  gl = fetchGitlab { owner = "group"; repo = "repo"; rev = "v2"; sha256 = "${hashes.gl}"; };
  git = builtins.fetchGit { url = "file://${repo}"; ref = "main"; };
in makeScript {
  name = "fetched";
  entrypoint = ''
    echo "\${notes}"; echo "\${tool}"; echo "\${gh}"; echo "\${gl}"; echo "\${git}"
    cat "\${notes}" "\${tool}/README" "\${gh}/hello.txt" "\${gl}/hello.txt" "\${git}/lib.sh"
  '';
}
`,
    'makes/unpinned/main.nix': `{ fetchUrl, makeScript, ... }:
let
  notes = fetchUrl {
    url = "${srv.base}/notes.txt";
  };
in makeScript { name = "unpinned"; entrypoint = "cat \${notes}"; }
`,
    'makes/missing/main.nix': `{ fetchArchive, makeScript, ... }:
makeScript {
  name = "missing";
  entrypoint = "ls \${fetchArchive {
    url = "${srv.base}/gone.tar.gz";
    sha256 = "${hashes.notes}";
  }}";
}
`,
    'makes/keep-root/main.nix': `{ fetchArchive, makeScript, ... }:
let
  whole = fetchArchive { url = "${srv.base}/tool.tar.gz"; sha256 = "${hashes.whole}"; stripRoot = false; };
in makeScript { name = "keep-root"; entrypoint = "echo \${whole}; ls \${whole}; cat \${whole}/tool-2.0/README"; }
`,
    'makes/keep-root-mismatch/main.nix': `{ fetchArchive, ... }:
fetchArchive {
  url = "${srv.base}/tool.tar.gz";
  sha256 = "${hashes.notes}";
  stripRoot = false;
}
`,
    'makes/stalled/main.nix': `{ fetchUrl, ... }: fetchUrl { url = "${srv.base.replace(/:\d+$/, ':STALL')}/big.bin"; sha256 = "${hashes.notes}"; }\n`,
  });

  write(nixpkgsProject, {
    'makes.nix': `{ fetchNixpkgs, ... }: {
  inputs.nixpkgs = fetchNixpkgs {
    rev = "0123abc";
    sha256 = "${hashes.np}";
    allowUnfree = false;
    overlays = [ (self: super: { answer = 42; shout = self.lib.toUpper "abba"; }) ];
  };
}
`,
    'makes/uses-nixpkgs/main.nix': `{ inputs, makeScript, ... }: makeScript {
  name = "uses-nixpkgs";
  searchPaths.bin = [ inputs.nixpkgs.hello ];
  entrypoint = ''
    echo "\${inputs.nixpkgs.lib.version} \${inputs.nixpkgs.greeting} \${toString inputs.nixpkgs.answer} \${inputs.nixpkgs.shout}"
    echo "allowUnfree=\${builtins.toJSON inputs.nixpkgs.config.allowUnfree} android=\${builtins.toJSON inputs.nixpkgs.config.android_sdk.accept_license}"
    hello
  '';
}
`,
  });
});
afterAll(async () => {
  await srv?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt() || !hasNix)("makes' fetchers through m PROJECT /output", () => {
  it('fetchUrl, fetchArchive, fetchGithub, fetchGitlab and fetchGit: Nix 2.8\'s store paths and the contents', async () => {
    const [r, tool, gh, gl, theirs] = await Promise.all([
      m(project, ['.', '/fetched']),
      nixTarballPath(`${srv.base}/tool.tar.gz`, hashes.tool!),
      nixTarballPath(`${srv.base}/owner/repo/archive/v1.tar.gz`, hashes.gh!),
      nixTarballPath(`${srv.base}/group/repo/-/archive/v2.tar.gz`, hashes.gl!),
      runNix(['--eval', '-E', `(builtins.fetchGit { url = "file://${repo}"; ref = "main"; }).outPath`], { cwd: work }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([notesPath, tool, gh, gl, JSON.parse(theirs.stdout.trim())]);
    expect(lines.slice(5)).toEqual(['release notes', 'a tool', 'from the github archive', 'from the gitlab archive', 'echo from git']);
  }, 300_000);

  it('offline: the pinned fetches are in the store, so the output runs with the server gone', async () => {
    const hitsBefore = [...srv.hits.values()].reduce((a, b) => a + b, 0);
    const r = await m(project, ['.', '/fetched'], { M_GITHUB_URL: 'http://127.0.0.1:1', M_GITLAB_URL: 'http://127.0.0.1:1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('from the gitlab archive');
    expect([...srv.hits.values()].reduce((a, b) => a + b, 0)).toBe(hitsBefore);
  });

  it('a makes.nix with inputs.nixpkgs = fetchNixpkgs { … } (file:// archive): the fetched nixpkgs imported with config and overlays, Debian packages by name', async () => {
    const r = await m(nixpkgsProject, ['.', '/uses-nixpkgs'], { M_GITHUB_URL: `file://${forge}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['23.05.fake from the fetched nixpkgs 42 ABBA', 'allowUnfree=false android=true', 'Hello, world!']);
    // The archive's store path is Nix's.
    const np = await nixTarballPath(`file://${forge}/nixos/nixpkgs/archive/0123abc.tar.gz`, hashes.np!);
    expect(fs.existsSync(path.join(store, path.basename(np)))).toBe(true);
  }, 240_000);

  it('fetchUrl without sha256: the hash to write, at the url of the call; exit 1; nothing added; store verified', async () => {
    const before = fs.readdirSync(store).filter((n) => n.endsWith('-notes.txt'));
    const r = await m(project, ['.', '/unpinned']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: hash mismatch in file downloaded from '${srv.base}/notes.txt':`);
    expect(r.stderr).toContain(`got:       sha256:${hashes.notes}`);
    expect(r.stderr).toContain(`at ${path.join(project, 'makes/unpinned/main.nix')}:4:5:`);
    expect(hasJsStackTrace(r.stderr)).toBe(false);
    expect(fs.readdirSync(store).filter((n) => n.endsWith('-notes.txt'))).toEqual(before);
    const v = await m(project, ['store', 'verify', '--check-contents', '--store', store]);
    expect(v.code, v.stderr).toBe(0);
  });

  it('fetchArchive of a missing URL (404) at the call', async () => {
    const r = await m(project, ['.', '/missing']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: unable to download '${srv.base}/gone.tar.gz': HTTP error 404`);
    expect(r.stderr).toContain(`at ${path.join(project, 'makes/missing/main.nix')}:5:5:`);
  });

  it('fetchArchive with stripRoot = false: the whole archive, at the path Nix gives that tree; a wrong hash is a mismatch at the call', async () => {
    const k = await m(project, ['.', '/keep-root']);
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toBe(`${wholePath}\ntool-2.0\na tool\n`);
    const bad = await m(project, ['.', '/keep-root-mismatch']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`specified: sha256:${hashes.notes}`);
    expect(bad.stderr).toContain(`got:       sha256:${hashes.whole}`);
    expect(bad.stderr).toContain(`at ${path.join(project, 'makes/keep-root-mismatch/main.nix')}:3:3:`);
  }, 240_000);

  for (const how of ['SIGINT to the process group (Ctrl-C)', 'SIGTERM to m alone']) {
    it(`interrupted in the middle of a download by ${how}: prompt exit, no store path, no leftovers, store verified`, async () => {
      // A server that sends part of the body and then stalls.
      let started!: () => void;
      const begun = new Promise<void>((r) => (started = r));
      const stall = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-length': String(1 << 20) });
        res.write(Buffer.alloc(64 * 1024, 1));
        started();
      });
      await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
      const port = (stall.address() as { port: number }).port;
      const main = path.join(project, 'makes/stalled/main.nix');
      fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace(/127\.0\.0\.1:(STALL|\d+)\/big/, `127.0.0.1:${port}/big`));
      const before = fs.readdirSync(store).sort();
      // Its own process group: Ctrl-C at a terminal signals the whole group (curl included); a
      // supervisor's SIGTERM may reach m alone, and m then stops the download itself.
      const child = spawn(M_BIN, ['.', '/stalled'], { cwd: project, env: { ...process.env, M_STORE: store }, stdio: 'ignore', detached: true });
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      await begun;
      await new Promise((r) => setTimeout(r, 500));
      const group = how.startsWith('SIGINT');
      process.kill(group ? -child.pid! : child.pid!, group ? 'SIGINT' : 'SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running 60 s later'), 60_000))]);
      if (typeof code === 'string') process.kill(-child.pid!, 'SIGKILL');
      stall.closeAllConnections();
      await new Promise<void>((r) => stall.close(() => r()));
      expect(code).toBe(group ? 130 : 143);
      expect(fs.readdirSync(store).filter((n) => n.endsWith('-big.bin'))).toEqual([]);
      expect(leftovers()).toEqual([]);
      const after = fs.readdirSync(store).sort();
      expect(after.filter((n) => !before.includes(n) && !n.endsWith('.drv') && !n.startsWith('.'))).toEqual([]);
      const v = await m(project, ['store', 'verify', '--check-contents', '--store', store]);
      expect(v.code, v.stderr).toBe(0);
    }, 180_000);
  }
});
