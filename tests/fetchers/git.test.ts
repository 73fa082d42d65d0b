/**
 * builtins.fetchGit on git repositories the test makes: a local path, a file:// URL, a dirty
 * working tree, url/rev/ref, a revision not on the ref, and a remote served by `git daemon` on
 * 127.0.0.1 (m's bare cache: a pinned revision fetched once needs no server). Each result
 * (outPath, rev, revCount, narHash, lastModified, …) is compared with real Nix 2.8.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasJsStackTrace, hasNix, mIsBuilt, runM, runNix, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-fetchers-git-'));
const store = path.join(work, 'store');
const repo = path.join(work, 'repo');
const dirty = path.join(work, 'dirty');
let daemon: ChildProcess | undefined;
let daemonUrl = '';
const revs: Record<string, string> = {};

function git(args: string[], cwd: string, date?: string): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  if (date) Object.assign(env, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

/** A repository: main with two commits (an executable, a symlink, a subdirectory), feature one ahead. */
function makeRepo(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  git(['init', '-q', '-b', 'main'], dir);
  write(dir, { 'README': 'one\n', 'src/run.sh': 'echo run\n' });
  fs.chmodSync(path.join(dir, 'src/run.sh'), 0o755);
  fs.symlinkSync('README', path.join(dir, 'link'));
  git(['add', '.'], dir);
  git(['commit', '-q', '-m', 'one'], dir, '2021-03-04T05:06:07Z');
  write(dir, { 'README': 'two\n' });
  git(['commit', '-q', '-am', 'two'], dir, '2021-03-05T00:00:00Z');
  git(['checkout', '-q', '-b', 'feature'], dir);
  write(dir, { 'feature.txt': 'feature\n' });
  git(['add', 'feature.txt'], dir);
  git(['commit', '-q', '-m', 'feature'], dir, '2022-01-01T12:00:00Z');
  git(['tag', 'v1'], dir);
  git(['checkout', '-q', 'main'], dir);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The attributes of a fetchGit result as JSON (outPath renamed, or toJSON would print only it). */
const shown = (call: string): string => `let r = ${call}; in builtins.toJSON (removeAttrs r [ "outPath" ] // { path = r.outPath; })`;

function m(expr: string): Promise<RunResult> {
  return runM(['--eval', '--strict', '-E', expr], { env: { M_STORE: store }, cwd: work });
}
function nix(expr: string): Promise<RunResult> {
  return runNix(['--eval', '--strict', '-E', expr], { cwd: work });
}
async function same(expr: string): Promise<RunResult> {
  const [mine, theirs] = await Promise.all([m(expr), nix(expr)]);
  expect(theirs.code, theirs.stderr).toBe(0);
  expect(mine.code, mine.stderr).toBe(0);
  expect(mine.stdout).toBe(theirs.stdout);
  return mine;
}

beforeAll(async () => {
  fs.mkdirSync(store);
  makeRepo(repo);
  revs.main = git(['rev-parse', 'main'], repo);
  revs.first = git(['rev-parse', 'main~1'], repo);
  revs.feature = git(['rev-parse', 'feature'], repo);
  makeRepo(dirty);
  const port = await freePort();
  daemon = spawn('git', ['daemon', `--base-path=${work}`, '--export-all', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, work], { stdio: 'ignore' });
  daemonUrl = `git://127.0.0.1:${port}/repo`;
  for (let i = 0; i < 100; i++) {
    if (spawnSync('git', ['ls-remote', daemonUrl], { stdio: 'ignore' }).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(() => {
  daemon?.kill();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt() || !hasNix)('builtins.fetchGit vs Nix 2.8', () => {
  it('a clean local repository by path and by file:// URL: HEAD of main', async () => {
    const r = await same(`[ (${shown(`builtins.fetchGit ${repo}`)}) (${shown(`builtins.fetchGit "file://${repo}"`)}) ]`);
    expect(r.stdout).toContain(`\\"rev\\":\\"${revs.main}\\"`);
    expect(r.stdout).toContain('\\"revCount\\":2');
    expect(r.stdout).toContain('\\"lastModified\\":1614902400');
  });

  it('url + ref (a branch, a tag, refs/heads/…) and url + rev (an older commit, one only on another branch)', async () => {
    await same(`[
      (${shown(`builtins.fetchGit { url = "file://${repo}"; ref = "feature"; }`)})
      (${shown(`builtins.fetchGit { url = "file://${repo}"; ref = "refs/heads/feature"; name = "named"; }`)})
      (${shown(`builtins.fetchGit { url = "file://${repo}"; ref = "refs/tags/v1"; }`)})
      (${shown(`builtins.fetchGit { url = "file://${repo}"; rev = "${revs.first}"; }`)})
      (${shown(`builtins.fetchGit { url = "${repo}"; ref = "main"; rev = "${revs.feature}"; }`)})
      (builtins.readFile ((builtins.fetchGit { url = "file://${repo}"; rev = "${revs.first}"; }) + "/README"))
    ]`);
  });

  it('a dirty working tree: tracked files as on disk, untracked ignored, rev of zeros, the same warning', async () => {
    write(dirty, { 'README': 'edited, not committed\n', 'untracked.txt': 'not in git\n' });
    fs.rmSync(path.join(dirty, 'src/run.sh'));
    const expr = `let r = builtins.fetchGit ${dirty}; in [ (${shown(`builtins.fetchGit ${dirty}`)}) (builtins.readFile (r + "/README")) (builtins.attrNames (builtins.readDir r)) ]`;
    const [mine, theirs] = await Promise.all([m(expr), nix(expr)]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.stdout).toContain('0000000000000000000000000000000000000000');
    expect(mine.stderr).toContain(`warning: Git tree '${dirty}' is dirty`);
    expect(theirs.stderr).toContain(`warning: Git tree '${dirty}' is dirty`);
  });

  it('a dirty tree whose tracked directory became a symlink out of the repository: not followed, as Nix', async () => {
    const linked = path.join(work, 'linked');
    makeRepo(linked);
    fs.rmSync(path.join(linked, 'src'), { recursive: true });
    fs.mkdirSync(path.join(work, 'outside'));
    fs.writeFileSync(path.join(work, 'outside', 'run.sh'), 'not the repository\'s\n');
    fs.symlinkSync(path.join(work, 'outside'), path.join(linked, 'src'));
    const expr = `let r = builtins.fetchGit ${linked}; in [ r.narHash (builtins.readDir r) ]`;
    const [mine, theirs] = await Promise.all([m(expr), nix(expr)]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.stdout).not.toContain('src');
  });

  it('a bare repository is fetched like a remote (ref main; none given means master, which it lacks); a directory inside a repository is no repository', async () => {
    const bare = path.join(work, 'bare.git');
    git(['clone', '-q', '--bare', repo, bare], work);
    await same(shown(`builtins.fetchGit { url = ${bare}; ref = "main"; }`));
    for (const expr of [`(builtins.fetchGit ${bare}).rev`, `(builtins.fetchGit ${repo}/src).rev`]) {
      const [mine, theirs] = await Promise.all([m(expr), nix(expr)]);
      expect(theirs.code).not.toBe(0);
      expect(mine.code).toBe(1);
      expect(hasJsStackTrace(mine.stderr)).toBe(false);
    }
    expect((await m(`(builtins.fetchGit ${repo}/src).rev`)).stderr).toContain(`error: '${repo}/src' does not appear to be a git repository`);
  });

  it('a revision that does not exist: Nix\'s message, positioned, exit 1', async () => {
    const bogus = revs.main.split('').reverse().join('');
    const file = path.join(work, 'bad-rev.nix');
    fs.writeFileSync(file, `{\n  src = builtins.fetchGit {\n    url = "file://${repo}";\n    ref = "main";\n    rev = "${bogus}";\n  };\n}.src.outPath\n`);
    const [mine, theirs] = await Promise.all([
      runM(['--eval', file], { env: { M_STORE: store }, cwd: work }),
      runNix(['--eval', file], { cwd: work }),
    ]);
    expect(mine.code).toBe(1);
    expect(theirs.code).not.toBe(0);
    expect(mine.stderr.split('\n')[0]).toBe(theirs.stderr.split('\n')[0]);
    expect(mine.stderr).toContain(`${file}:2:9`);
    expect(hasJsStackTrace(mine.stderr)).toBe(false);
  });

  it('bad arguments: a short rev and an unknown attribute, as Nix reports them', async () => {
    for (const call of [`builtins.fetchGit { url = "${repo}"; rev = "abc"; }`, `builtins.fetchGit { url = "${repo}"; branch = "main"; }`]) {
      const [mine, theirs] = await Promise.all([m(call), nix(call)]);
      expect(mine.code).toBe(1);
      expect(theirs.code).not.toBe(0);
      expect(mine.stderr.split('\n')[0]).toBe(theirs.stderr.split('\n')[0]);
    }
  });

  it('a remote (git daemon): by ref and by rev as Nix; a pinned rev fetched once needs no server', async () => {
    // Nix 2.8 reads a remote without `ref` as its branch master (this repository has none).
    const noRef = `(builtins.fetchGit "${daemonUrl}").rev`;
    const [mine, theirs] = await Promise.all([m(noRef), nix(noRef)]);
    expect(theirs.code).not.toBe(0);
    expect(theirs.stderr).toContain('refs/heads/master');
    expect(mine.code).toBe(1);
    expect(mine.stderr).toContain(`cannot fetch ref 'master' of git repository '${daemonUrl}'`);
    await same(`[
      (${shown(`builtins.fetchGit { url = "${daemonUrl}"; ref = "main"; }`)})
      (${shown(`builtins.fetchGit { url = "${daemonUrl}"; ref = "feature"; }`)})
      (${shown(`builtins.fetchGit { url = "${daemonUrl}"; rev = "${revs.first}"; }`)})
    ]`);
    expect(fs.readdirSync(path.join(store, '.m', 'git-cache')).length).toBeGreaterThanOrEqual(1);
    daemon?.kill();
    await new Promise((r) => setTimeout(r, 200));
    const offline = await m(shown(`builtins.fetchGit { url = "${daemonUrl}"; rev = "${revs.first}"; }`));
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain(revs.first);
    const unpinned = await m(`(builtins.fetchGit { url = "${daemonUrl}"; ref = "main"; }).rev`);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toContain(`cannot fetch ref 'main' of git repository '${daemonUrl}'`);
    expect(unpinned.stderr).toContain('«string»:1:2');
  });
});
