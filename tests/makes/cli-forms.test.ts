/**
 * The forms of makes' command line in m (issue 9 item 2): `m PROJECT [OUTPUT] [ARGS…]` with PROJECT
 * a path, `local:PATH@REV` (a git revision exported without touching the work tree),
 * `github:`/`gitlab:OWNER/REPO@REV` (a tarball from a server the test runs on 127.0.0.1, and a clear
 * error when it cannot be reached), `/__all__`, the output picker under a real pseudo-terminal
 * (util-linux `script`), `m --help`, and global flags before PROJECT. One store for every case.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, hasJsStackTrace, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-cli-forms-'));
const project = path.join(work, 'project');
const repo = path.join(work, 'repo');
const storeRoot = path.join(work, 'store');
const home = path.join(work, 'home');

const helloNix = (word: string): string => `{ makeScript, ... }: makeScript {
  name = "hello";
  entrypoint = ''echo "${word} $#:$*"'';
}
`;
const projectFiles: Record<string, string> = {
  'makes/hello/main.nix': helloNix('hello'),
  'makes/root/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "root"; builder = "echo root > $out"; }\n`,
  'makes/ask/main.nix': `{ makeScript, ... }: makeScript { name = "ask"; entrypoint = ''read -r x; echo "got <$x>"''; }\n`,
  'makes/broken/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "broken"; builder = "echo no; exit 7"; }\n`,
};

function m(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: opts.cwd ?? project, home, env: { M_STORE: storeRoot, ...opts.env }, timeoutMs: 180_000 });
}

function git(args: string[], cwd = repo): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/** The script's own lines of a run (m's lines go to stderr). */
const lines = (r: RunResult): string[] => r.stdout.split('\n').filter((l) => l !== '');

// A server for forge archives: GET PATH answers the tarball registered under PATH, else 404.
const archives = new Map<string, Buffer>();
let server: http.Server;
let serverUrl = '';

beforeAll(async () => {
  fs.mkdirSync(home, { recursive: true });
  write(project, projectFiles);
  // A repository with two commits and a modified, uncommitted work tree.
  // export-ignore is for archives: a checkout (makes') has the files all the same.
  write(repo, { 'makes/hello/main.nix': helloNix('v1'), '.gitattributes': 'makes/** export-ignore\n' });
  git(['init', '-q', '-b', 'main']);
  git(['add', '-A']);
  git(['commit', '-qm', 'v1']);
  write(repo, { 'makes/hello/main.nix': helloNix('v2') });
  git(['commit', '-qam', 'v2']);
  git(['tag', 'v2']);
  write(repo, { 'makes/hello/main.nix': helloNix('work-tree') });
  // The forges' archives of v2 (made with tar: git archive would leave out the export-ignored makes/).
  const v2 = path.join(work, 'archive', 'repo-v2');
  write(v2, { 'makes/hello/main.nix': helloNix('v2') });
  const tgz = (prefix: string): Buffer =>
    spawnSync('tar', ['-czf', '-', '-C', path.dirname(v2), `--transform=s,^repo-v2,${prefix},`, 'repo-v2'], { maxBuffer: 1 << 26 }).stdout as Buffer;
  archives.set('/owner/repo/archive/v2.tar.gz', tgz('repo-v2'));
  archives.set('/group/sub/repo/-/archive/v2/repo-v2.tar.gz', tgz('repo-v2'));
  server = http.createServer((req, res) => {
    if (req.url === '/owner/slow/archive/v2.tar.gz') {
      // The start of an archive, then nothing: a download still under way.
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.write(archives.get('/owner/repo/archive/v2.tar.gz')!.subarray(0, 64));
      return;
    }
    const body = archives.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/gzip' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * Runs `m ARGS` on a pseudo-terminal (util-linux `script`); once the picker is drawn, sends each
 * of `keys` (one write each, a moment apart; a number waits that many ms). Returns what the
 * terminal showed (\r removed).
 */
function onTerminal(args: string[], keys: (string | number)[], cacheHome = fs.mkdtempSync(path.join(work, 'xdg-'))): Promise<RunResult> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [M_BIN, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: project,
      env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: cacheHome, LANG: 'C.UTF-8', TZ: 'UTC', TERM: 'xterm', M_STORE: storeRoot },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!sent && out.includes('Choose an output of')) {
        sent = true;
        void (async () => {
          for (const k of keys) {
            await new Promise((r) => setTimeout(r, typeof k === 'number' ? k : 150));
            if (typeof k === 'string') child.stdin.write(k);
          }
        })();
      }
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: out.replace(/\r/g, ''), stderr: '', code: code ?? 1, ms: Date.now() - start });
    });
  });
}

const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!mIsBuilt())('m PROJECT forms', () => {
  it('m --help shows the project form first, with the four kinds of PROJECT', async () => {
    const r = await m(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Usage: m PROJECT [OUTPUT] [ARGS...]');
    expect(r.stdout.split('\n')[1]).toBe('       m COMMAND [options]');
    for (const form of ['local:PATH@REV', 'github:OWNER/REPO@REV', 'gitlab:OWNER/REPO@REV', '/__all__']) expect(r.stdout).toContain(form);
    const p = await m(['.', '--help']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^Usage: m PROJECT/);
    expect(p.stdout).toContain('local:PATH@REV');
  });

  it('PROJECT as ., a relative path or an absolute path; global flags before or after PROJECT', async () => {
    const dot = await m(['-q', '.', '/hello', 'a', 'b c']);
    expect(dot.stderr).toBe('');
    expect(dot.code).toBe(0);
    expect(lines(dot)).toEqual(['hello 2:a b c']);
    const rel = await m(['project', '-q', '/hello', 'x'], { cwd: work });
    expect([rel.code, lines(rel)]).toEqual([0, ['hello 1:x']]);
    const abs = await m(['-j', '1', '--store', storeRoot, project, '-q', '/hello'], { cwd: os.tmpdir() });
    expect([abs.code, lines(abs)]).toEqual([0, ['hello 0:']]);
    // The flags before PROJECT are really read: a bad -j and a store that is a file are refused.
    const jobs = await m(['-j', '0', '.', '/hello']);
    expect(jobs.code).toBe(1);
    expect(jobs.stderr).toContain("'0' is not a valid number of jobs");
    const file = path.join(work, 'not-a-store');
    fs.writeFileSync(file, '');
    const store = await m(['--store', file, '.', '/root']);
    expect(store.code).not.toBe(0);
    expect(store.stderr).toContain(file);
    expect(hasJsStackTrace(store.stderr)).toBe(false);
    // Before a command too; after the subcommand of one that has them.
    const verify = await m(['--store', storeRoot, 'store', 'verify'], { env: { M_STORE: file } });
    expect(verify.code).toBe(0);
    const dangling = await m(['-q']);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain("'-q' needs a PROJECT or COMMAND");
  }, 180_000);

  it('local:PATH@REV evaluates a git revision, leaving the work tree, index and refs alone', async () => {
    const before = { status: git(['status', '--porcelain']), refs: git(['show-ref']), worktrees: git(['worktree', 'list']) };
    const head = await m([`local:${repo}@main`, '-q', '/hello', 'z']);
    expect(head.stderr).toBe('');
    expect([head.code, lines(head)]).toEqual([0, ['v2 1:z']]);
    const first = await m([`local:${repo}@HEAD~1`, '/hello']);
    expect([first.code, lines(first)]).toEqual([0, ['v1 0:']]);
    expect(first.stderr).toMatch(/exporting HEAD~1 \([0-9a-f]{12}\) of /);
    const rel = await m(['local:.@v2', '-q', '/hello'], { cwd: repo });
    expect([rel.code, lines(rel)]).toEqual([0, ['v2 0:']]);
    expect(fs.readFileSync(path.join(repo, 'makes/hello/main.nix'), 'utf8')).toBe(helloNix('work-tree'));
    expect({ status: git(['status', '--porcelain']), refs: git(['show-ref']), worktrees: git(['worktree', 'list']) }).toEqual(before);

    const norev = await m([`local:${repo}@nope`, '/hello']);
    expect(norev.code).toBe(1);
    expect(norev.stderr).toContain(`error: local:${repo}@nope: no revision 'nope' in the git repository '${fs.realpathSync(repo)}'`);
    const nogit = await m([`local:${project}@HEAD`, '/hello']);
    expect(nogit.code).toBe(1);
    expect(nogit.stderr).toContain('is not a git repository');
    expect(hasJsStackTrace(norev.stderr + nogit.stderr)).toBe(false);
  }, 180_000);

  it('github: and gitlab: download the revision archive (base URL from M_GITHUB_URL / M_GITLAB_URL)', async () => {
    const gh = await m(['github:owner/repo@v2', '-q', '/hello', 'gh'], { env: { M_GITHUB_URL: serverUrl } });
    expect(gh.stderr).toBe('');
    expect([gh.code, lines(gh)]).toEqual([0, ['v2 1:gh']]);
    const gl = await m(['gitlab:group/sub/repo@v2', '/hello'], { env: { M_GITLAB_URL: serverUrl } });
    expect(gl.stderr).toContain(`fetching gitlab:group/sub/repo@v2 from ${serverUrl}/group/sub/repo/-/archive/v2/repo-v2.tar.gz`);
    expect([gl.code, lines(gl)]).toEqual([0, ['v2 0:']]);
    const missing = await m(['github:owner/repo@nope', '/hello'], { env: { M_GITHUB_URL: serverUrl } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: cannot fetch github:owner/repo@nope from ${serverUrl}/owner/repo/archive/nope.tar.gz: HTTP 404`);
    // Kept by content in the sources cache, nothing half-made left there: the same archive again
    // is the same project, so the eval cache answers (nothing evaluated).
    const sources = fs.readdirSync(path.join(home, '.cache/m/sources'));
    expect(sources.filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(sources.filter((f) => /^(github|gitlab)-[0-9a-f]{32}$/.test(f)).length).toBe(2);
    const again = await m(['github:owner/repo@v2', '/hello', 'again'], { env: { M_GITHUB_URL: serverUrl } });
    expect([again.code, lines(again)]).toEqual([0, ['v2 1:again']]);
    expect(again.stderr).toContain('fetching github:owner/repo@v2');
    expect(again.stderr).not.toContain('evaluating');
  }, 180_000);

  it('a forge that cannot be reached is a clear error naming the URL, exit code 1', async () => {
    // A port nothing listens on: connection refused, as with no network.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await m(['github:owner/repo@v2', '/hello'], { env: { M_GITHUB_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: cannot fetch github:owner/repo@v2 from http://127.0.0.1:${port}/owner/repo/archive/v2.tar.gz: `);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(hasJsStackTrace(r.stderr)).toBe(false);
    const bad = await m(['github:no-revision', '/hello']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error: 'github:no-revision' is not a project");
  });

  it('SIGINT during a download stops it, removes what came, exit code 130', async () => {
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(M_BIN, ['github:owner/slow@v2', '/hello'], {
        cwd: project,
        env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', M_STORE: storeRoot, M_GITHUB_URL: serverUrl, XDG_CACHE_HOME: tmp },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      let sent = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (!sent && stderr.includes('fetching github:owner/slow@v2')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    expect(r.stderr).toContain('error: interrupted by the user');
    expect(r.code).toBe(130);
    expect(fs.readdirSync(path.join(tmp, 'm/sources'))).toEqual([]);
  }, 120_000);

  it('/__all__ builds every output, lists each, fails when one fails, and leaves an out-link per output that gc keeps', async () => {
    const r = await m(['.', '/__all__']);
    expect(r.code).toBe(100);
    const listed = lines(r).map((l) => l.split(' ')[0]);
    expect(listed).toEqual(['/ask', '/hello', '/root']);
    expect(lines(r)[2]).toMatch(/^\/root \/nix\/store\/[a-z0-9]{32}-root$/);
    expect(r.stderr).toContain('error: 1 of 4 outputs failed: /broken');
    expect(r.stderr).not.toContain('hello 0:'); // scripts are built, not run
    const ok = await m([`local:${repo}@v2`, '/__all__']);
    expect(ok.code).toBe(0);
    expect(lines(ok)).toEqual([expect.stringMatching(/^\/hello \/nix\/store\/[a-z0-9]{32}-hello$/)]);
    // Each output built has its out-link (a GC root), as after `m . /output`: gc keeps them all.
    const built = new Map(lines(r).map((l) => l.split(' ') as [string, string]));
    const inStore = (p: string): string => path.join(storeRoot, path.basename(p));
    for (const [name, out] of built) expect(fs.readlinkSync(path.join(project, '.m', 'out' + name.replace(/\//g, '-')))).toBe(inStore(out));
    expect(fs.existsSync(path.join(project, '.m/out-broken'))).toBe(false);
    const revLinks = fs.readdirSync(path.join(storeRoot, '.m/out')).filter((d) => d.startsWith('local-'));
    const revHello = revLinks.map((d) => path.join(storeRoot, '.m/out', d, 'out-hello')).find((l) => fs.existsSync(l) && fs.readlinkSync(l) === inStore(lines(ok)[0]!.split(' ')[1]!));
    expect(revHello).toBeDefined();
    const gc = await runCommand(M_BIN, ['store', 'gc'], { home, env: { M_STORE: storeRoot }, timeoutMs: 120_000 });
    expect(gc.code, gc.stderr).toBe(0);
    for (const out of [...built.values(), lines(ok)[0]!.split(' ')[1]!]) expect(fs.existsSync(inStore(out))).toBe(true);
  }, 180_000);

  it('without OUTPUT and no terminal: the listing, exit code 1', async () => {
    const r = await m(['.']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Usage: m . OUTPUT [ARGS...]');
    expect(r.stdout).not.toContain('Choose an output');
  });

  describe.skipIf(!hasScript)('the output picker on a pseudo-terminal', () => {
    it('type to filter, Tab to complete, arguments after a space, Enter runs it', async () => {
      const r = await onTerminal(['.'], ['hel', '\t', ' one "two three"', '\r']);
      expect(r.stdout).toContain('Choose an output of');
      expect(r.stdout).toContain('$ m . /hello one two three');
      expect(r.stdout).toContain('hello 2:one two three');
      expect(r.code).toBe(0);
    }, 180_000);

    it('arrow keys move the selection', async () => {
      // The list is /ask, /broken, /hello, /root: down three times, up once is /hello.
      const r = await onTerminal(['.'], ['\x1b[B', '\x1b[B', '\x1b[B', '\x1b[A', '\r']);
      expect(r.stdout).toContain('hello 0:');
      expect(r.code).toBe(0);
      // Filtered by 'o' (no output starts with it; all three contain it): down twice is /root.
      const last = await onTerminal(['.'], ['o', '\x1b[B', '\x1b[B', '\r']);
      expect(last.stdout).toContain('$ m . /root\n');
      expect(last.stdout).toMatch(/\/nix\/store\/[a-z0-9]{32}-root\n/);
      expect(last.code).toBe(0);
    }, 180_000);

    it('the terminal is the script\'s afterwards: it reads a line typed there', async () => {
      const r = await onTerminal(['.'], ['as', '\r', 3000, 'an answer\r']);
      expect(r.stdout).toContain('$ m . /ask\n');
      expect(r.stdout).toContain('got <an answer>');
      expect(r.code).toBe(0);
    }, 180_000);

    it('opens with the command last chosen in the project (as makes), Ctrl-U clears it', async () => {
      const cache = fs.mkdtempSync(path.join(work, 'xdg-'));
      const first = await onTerminal(['.'], ['/he', '\t', ' again', '\r'], cache);
      expect(first.stdout).toContain('hello 1:again');
      const again = await onTerminal(['.'], ['\r'], cache);
      expect(again.stdout).toContain('$ m . /hello again\n');
      expect(again.stdout).toContain('hello 1:again');
      const cleared = await onTerminal(['.'], ['\x15', 'roo', '\r'], cache);
      expect(cleared.stdout).toContain('$ m . /root\n');
      expect(cleared.code).toBe(0);
    }, 180_000);

    it('Esc cancels (exit 1), Ctrl-C cancels (exit 130); nothing runs', async () => {
      const esc = await onTerminal(['.'], ['ro', '\x1b']);
      expect(esc.code).toBe(1);
      expect(esc.stdout).toContain('error: no output chosen');
      expect(esc.stdout).not.toContain('$ m . /');
      const intr = await onTerminal(['.'], ['\x03']);
      expect(intr.code).toBe(130);
      expect(intr.stdout).toContain('error: no output chosen');
    }, 180_000);
  });
});
