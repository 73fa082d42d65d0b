/**
 * The PROJECT word of `m PROJECT [OUTPUT] [ARGS…]`, in makes' four forms, and the directory it
 * stands for:
 *
 * - `.` or any path: that directory;
 * - `local:PATH@REV`: revision REV (branch, tag or commit) of the git repository at PATH, its
 *   tracked files checked out, as makes' clone would have them, through a private index into
 *   `~/.cache/m/sources/local-<commit>` (made once per commit; the repository's work tree, index
 *   and refs are only read);
 * - `github:OWNER/REPO@REV`, `gitlab:OWNER/REPO@REV`: the revision's tarball downloaded over HTTP(S)
 *   into `~/.cache/m/sources/<forge>-<hash of the archive>` (the same archive, the same directory:
 *   the eval cache keeps working; a branch is downloaded again on every run). The base URLs are
 *   `$M_GITHUB_URL` (default https://github.com) and `$M_GITLAB_URL` (default https://gitlab.com).
 *
 * makes clones remote sources with git; m downloads the archive both forges serve for any branch,
 * tag or commit, which needs neither git nor a clone's history.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { MError } from '@m/core';
import { lazyStream } from './lazy-builtins';

export type ProjectSpec =
  | { kind: 'dir'; path: string }
  | { kind: 'local'; repo: string; rev: string }
  | { kind: 'github' | 'gitlab'; owner: string; repo: string; rev: string };

const LOCAL = /^local:(.+)@([^@]+)$/;
const FORGE = /^(github|gitlab):(.+)\/([^/@]+)@([^@]+)$/;

/**
 * The form of `word`, or undefined when it is none of them: a path is `.`, `..`, anything with a
 * slash, or an existing directory. `local:`, `github:` and `gitlab:` words that do not parse are
 * still project words (so that the user gets the form's own error, not "unknown command").
 */
export function parseProjectSpec(word: string): ProjectSpec | undefined {
  const local = LOCAL.exec(word);
  if (local) return { kind: 'local', repo: local[1]!, rev: local[2]! };
  const forge = FORGE.exec(word);
  if (forge) return { kind: forge[1] as 'github' | 'gitlab', owner: forge[2]!, repo: forge[3]!, rev: forge[4]! };
  if (/^(local|github|gitlab):/.test(word)) return undefined;
  if (word === '.' || word === '..' || word.includes('/')) return { kind: 'dir', path: word };
  try {
    return fs.statSync(word).isDirectory() ? { kind: 'dir', path: word } : undefined;
  } catch {
    return undefined;
  }
}

/** True when the first word of a command line is a project (in any of the forms, even malformed). */
export function isProjectWord(word: string): boolean {
  return /^(local|github|gitlab):/.test(word) || parseProjectSpec(word) !== undefined;
}

export const PROJECT_FORMS = `  .  or a path            a directory holding makes/ (or makes.nix)
  local:PATH@REV          revision REV (branch, tag or commit) of the git repository at PATH
  github:OWNER/REPO@REV   revision REV of a GitHub repository (base URL: $M_GITHUB_URL)
  gitlab:OWNER/REPO@REV   revision REV of a GitLab repository (base URL: $M_GITLAB_URL)`;

function badForm(word: string): MError {
  return new MError('BAD_ARGUMENT', `'${word}' is not a project`, {
    hint: `PROJECT is one of:\n${PROJECT_FORMS}`,
  });
}

export interface ProjectSource {
  /** The directory to evaluate (realpath). */
  dir: string;
  /** Where the default store is looked for (`store/` beside the nearest makes/ or .git of it). */
  storeBase: string;
  /** Removes what only this run needs once it ends (nothing today: exports are cached); idempotent. */
  cleanup(): void;
}

export interface SourceOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Progress lines (the CLI prints them on stderr). */
  say?: (line: string) => void;
  signal?: AbortSignal;
}

/** The directory `word` stands for, exported or downloaded first when it is a revision. */
export async function openProjectSource(word: string, opts: SourceOptions): Promise<ProjectSource> {
  const spec = parseProjectSpec(word);
  if (!spec) throw badForm(word);
  switch (spec.kind) {
    case 'dir':
      return plainDir(word, nodePath.resolve(opts.cwd, spec.path));
    case 'local':
      return localRevision(spec.repo, spec.rev, opts);
    default:
      return forgeRevision(spec, opts);
  }
}

function plainDir(word: string, abs: string): ProjectSource {
  let dir: string;
  try {
    dir = fs.realpathSync(abs);
  } catch {
    throw new MError('IO_ERROR', `project directory '${word}' does not exist`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new MError('BAD_ARGUMENT', `project '${word}' is not a directory`);
  return { dir, storeBase: dir, cleanup: () => {} };
}

function sourcesDir(env: NodeJS.ProcessEnv): string {
  const cache = env.XDG_CACHE_HOME || nodePath.join(env.HOME || os.homedir(), '.cache');
  return nodePath.join(cache, 'm', 'sources');
}

function git(repo: string, args: string[], env: NodeJS.ProcessEnv): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', ['-C', repo, ...args], { env: { ...env, GIT_TERMINAL_PROMPT: '0' }, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error) throw new MError('NOT_AVAILABLE', `cannot run git: ${r.error.message}`, { hint: 'local:PATH@REV needs git on PATH' });
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** `git read-tree` + `checkout-index` of REV into a per-commit directory under the sources cache (made once). */
async function localRevision(repoWord: string, rev: string, opts: SourceOptions): Promise<ProjectSource> {
  const repo = nodePath.resolve(opts.cwd, repoWord);
  if (!fs.existsSync(repo)) throw new MError('IO_ERROR', `local:${repoWord}@${rev}: '${repo}' does not exist`);
  const top = git(repo, ['rev-parse', '--show-toplevel'], opts.env);
  if (!top.ok) throw new MError('BAD_ARGUMENT', `local:${repoWord}@${rev}: '${repo}' is not a git repository`);
  const commit = git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], opts.env);
  if (!commit.ok || !/^[0-9a-f]{40,64}$/.test(commit.out)) {
    throw new MError('BAD_ARGUMENT', `local:${repoWord}@${rev}: no revision '${rev}' in the git repository '${top.out}'`, {
      hint: 'REV is a branch, a tag or a commit of that repository',
    });
  }
  // The project is the repository's subdirectory PATH names, as it was at REV.
  const sub = nodePath.relative(fs.realpathSync(top.out), fs.realpathSync(repo));
  const root = nodePath.join(sourcesDir(opts.env), `local-${commit.out}`);
  if (!fs.existsSync(root)) {
    opts.say?.(`exporting ${rev} (${commit.out.slice(0, 12)}) of ${top.out}`);
    fs.mkdirSync(nodePath.dirname(root), { recursive: true });
    const tmp = fs.mkdtempSync(`${root}.tmp-`);
    try {
      // A private index: the repository's own index, work tree and refs are only read.
      const env = { ...opts.env, GIT_INDEX_FILE: `${tmp}.index` };
      for (const args of [['read-tree', commit.out], ['--work-tree', tmp, 'checkout-index', '--all', '--force']]) {
        const r = git(top.out, args, env);
        if (!r.ok) throw new Error(`git ${args[0] === 'read-tree' ? 'read-tree' : 'checkout-index'}: ${r.err || 'failed'}`);
      }
      fs.rmSync(`${tmp}.index`, { force: true });
      try {
        fs.renameSync(tmp, root);
      } catch (e) {
        // Another run exported the same commit first: its copy is as good as ours.
        if (!fs.existsSync(root)) throw e;
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(`${tmp}.index`, { force: true });
      throw new MError('IO_ERROR', `local:${repoWord}@${rev}: cannot export the revision: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const dir = nodePath.join(root, sub);
  if (!fs.existsSync(dir)) throw new MError('IO_ERROR', `local:${repoWord}@${rev}: '${sub}' does not exist at that revision`);
  return { dir: fs.realpathSync(dir), storeBase: repo, cleanup: () => {} };
}

/** Runs `tar -x` in `dir`; `feed` writes the archive to tar's stdin (and ends it). */
function pipeToTar(feed: (stdin: NodeJS.WritableStream) => Promise<void>, dir: string, extra: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-x', ...extra, '--no-same-owner', '-C', dir, '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    let fed: Error | undefined;
    tar.stderr.on('data', (b: Buffer) => (err += b.toString()));
    tar.stdin.on('error', () => {});
    tar.on('error', reject);
    feed(tar.stdin).catch((e: unknown) => {
      fed = e instanceof Error ? e : new Error(String(e));
      tar.stdin.destroy();
    });
    tar.on('close', (code) => {
      if (fed) reject(fed);
      else if (code === 0) resolve();
      else reject(new Error(`tar: ${err.trim().split('\n')[0] || `exit code ${code}`}`));
    });
  });
}

/** The URL of a revision's .tar.gz on GitHub or GitLab (or the server the variable names). */
export function archiveUrl(spec: { kind: 'github' | 'gitlab'; owner: string; repo: string; rev: string }, env: NodeJS.ProcessEnv): string {
  const seg = (s: string): string => s.split('/').map(encodeURIComponent).join('/');
  if (spec.kind === 'github') {
    const base = (env.M_GITHUB_URL || 'https://github.com').replace(/\/+$/, '');
    return `${base}/${seg(spec.owner)}/${encodeURIComponent(spec.repo)}/archive/${seg(spec.rev)}.tar.gz`;
  }
  const base = (env.M_GITLAB_URL || 'https://gitlab.com').replace(/\/+$/, '');
  const file = `${spec.repo}-${spec.rev.replace(/\//g, '-')}.tar.gz`;
  return `${base}/${seg(spec.owner)}/${encodeURIComponent(spec.repo)}/-/archive/${seg(spec.rev)}/${encodeURIComponent(file)}`;
}

function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError') return 'timed out';
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.message) return cause.code && !cause.message.includes(cause.code) ? `${cause.code} (${cause.message})` : cause.message;
  return cause?.code ?? e.message;
}

/** Downloads and unpacks a forge revision into a temporary directory. */
async function forgeRevision(spec: { kind: 'github' | 'gitlab'; owner: string; repo: string; rev: string }, opts: SourceOptions): Promise<ProjectSource> {
  const word = `${spec.kind}:${spec.owner}/${spec.repo}@${spec.rev}`;
  const url = archiveUrl(spec, opts.env);
  const sources = sourcesDir(opts.env);
  fs.mkdirSync(sources, { recursive: true });
  const root = fs.mkdtempSync(nodePath.join(sources, `.tmp-${spec.kind}-`));
  const dir = nodePath.join(root, spec.repo);
  fs.mkdirSync(dir);
  const cleanup = (): void => fs.rmSync(root, { recursive: true, force: true });
  const hash = createHash('sha256');
  try {
    opts.say?.(`fetching ${word} from ${url}`);
    const seconds = Number(opts.env.M_FETCH_TIMEOUT) > 0 ? Number(opts.env.M_FETCH_TIMEOUT) : 300;
    const signals = [AbortSignal.timeout(seconds * 1000), ...(opts.signal ? [opts.signal] : [])];
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow', signal: AbortSignal.any(signals) });
    } catch (e) {
      throw new MError('IO_ERROR', `cannot fetch ${word} from ${url}: ${describeFetchError(e)}`, {
        hint: `the network or the server is not reachable; m needs it for ${spec.kind}: projects (or set ${spec.kind === 'github' ? 'M_GITHUB_URL' : 'M_GITLAB_URL'})`,
      });
    }
    if (!res.ok || !res.body) {
      throw new MError('IO_ERROR', `cannot fetch ${word} from ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, {
        hint: res.status === 404 ? 'is the repository public and the revision a branch, tag or commit of it?' : undefined,
      });
    }
    const body = res.body;
    try {
      await pipeToTar(
        (stdin) =>
          new Promise<void>((resolve, reject) => {
            const r = lazyStream().Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
            r.on('error', reject);
            r.on('data', (b: Buffer) => hash.update(b));
            r.on('end', resolve);
            r.pipe(stdin);
          }),
        dir,
        ['-z', '--strip-components=1'],
      );
    } catch (e) {
      throw new MError('IO_ERROR', `cannot unpack ${word} from ${url}: ${describeFetchError(e)}`);
    }
    // Kept by the archive's content: the same archive is the same directory, so the eval cache
    // recognises it on the next run.
    const final = nodePath.join(sources, `${spec.kind}-${hash.digest('hex').slice(0, 32)}`);
    try {
      fs.renameSync(root, final);
    } catch (e) {
      if (!fs.existsSync(nodePath.join(final, spec.repo))) throw e;
      cleanup();
    }
    return { dir: fs.realpathSync(nodePath.join(final, spec.repo)), storeBase: opts.cwd, cleanup: () => {} };
  } catch (e) {
    cleanup();
    throw e;
  }
}
