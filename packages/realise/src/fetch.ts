/**
 * The fetch operations of EvalIO (builtins.fetchurl, fetchTarball, fetchGit) over any store that
 * can add a checked file or tree: `createStoreEvalIO` binds them to the real store, the CLI's
 * `m instantiate` to its plain-directory EvalIO.
 *
 * EvalIO is synchronous and evaluation runs in a worker thread, so downloads run `curl` as a child
 * process (spawnSync blocks only the worker; curl handles redirects, TLS, proxies and stalled
 * transfers) and git repositories are read with the git CLI. `file://` URLs are read directly.
 * Everything is downloaded and checked in a scratch directory first; only content whose hash
 * matches is added to the store, so a mismatch leaves nothing registered.
 */
import {
  spawnSync,
  type SpawnSyncOptions,
  type SpawnSyncOptionsWithBufferEncoding,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
} from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError } from '@m/core';
import { checkFetched, checkUnpacked, unpackTarball, type FetchGitRequest, type FetchGitResult, type FetchUrlRequest } from '@m/eval';
import { fromUtf8, narHash, treeNarSource, type Hash, type NarTree } from '@m/nix-compat';

/** What the fetchers need from a store. */
export interface FetchSink {
  /** Adds a file (flat) or tree (recursive) from a scratch path; returns its store path. */
  add(o: { name: string; path: string; method: 'flat' | 'recursive' }): string;
  /** A fresh scratch directory; the fetchers remove it. */
  tempDir(): string;
  /** A directory kept between runs for clones of remote git repositories. */
  gitCacheDir: string;
  /** Environment of curl and git (proxies, HOME). */
  env?: NodeJS.ProcessEnv;
}

export interface Fetchers {
  fetchUrl(req: FetchUrlRequest): string;
  fetchGit(req: FetchGitRequest): FetchGitResult;
}

type Dir = NarTree & { type: 'directory'; entries: Map<string, NarTree> };

const MAX_BUFFER = 1 << 30;

let setprivWorks: boolean | undefined;

/**
 * spawnSync of a download tool (curl, git, xz, …) that dies with m: through util-linux's
 * `setpriv --pdeathsig TERM` when it works here, so a killed m leaves no orphan download running.
 * A tool that is not installed is reported as spawnSync reports it (error ENOENT).
 */
function spawnTool(cmd: string, args: string[], opts: SpawnSyncOptionsWithStringEncoding): SpawnSyncReturns<string>;
function spawnTool(cmd: string, args: string[], opts: SpawnSyncOptionsWithBufferEncoding): SpawnSyncReturns<Buffer>;
function spawnTool(cmd: string, args: string[], opts: SpawnSyncOptions): SpawnSyncReturns<string | Buffer> {
  setprivWorks ??= spawnSync('setpriv', ['--pdeathsig', 'TERM', '--', 'true']).status === 0;
  if (!setprivWorks) return spawnSync(cmd, args, opts);
  const r = spawnSync('setpriv', ['--pdeathsig', 'TERM', '--', cmd, ...args], opts);
  const err = r.stderr === null ? '' : r.stderr.toString();
  if (r.status === 127 && /^setpriv: failed to execute/m.test(err)) {
    return { ...r, error: Object.assign(new Error(`spawnSync ${cmd} ENOENT`), { code: 'ENOENT' }) };
  }
  return r;
}

function withTemp<T>(sink: FetchSink, fn: (dir: string) => T): T {
  const dir = sink.tempDir();
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeTree(t: NarTree, to: string): void {
  if (t.type === 'directory') {
    fs.mkdirSync(to);
    const entries = t.entries instanceof Map ? t.entries : new Map(Object.entries(t.entries));
    for (const [n, c] of entries) writeTree(c, nodePath.join(to, n));
  } else if (t.type === 'symlink') fs.symlinkSync(t.target, to);
  else fs.writeFileSync(to, t.contents, { mode: t.executable ? 0o755 : 0o644, flag: 'wx' });
}

/** Downloads `url` into `file`. */
function download(url: string, file: string, env: NodeJS.ProcessEnv | undefined): void {
  if (url.startsWith('file://')) {
    const src = decodeURIComponent(url.slice('file://'.length));
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(src);
    } catch {
      st = undefined;
    }
    if (!st?.isFile()) throw new MError('IO_ERROR', `unable to download '${url}': file '${src}' does not exist`);
    fs.copyFileSync(src, file);
    return;
  }
  if (!/^https?:\/\//.test(url)) {
    throw new MError('IO_ERROR', `unable to download '${url}': unsupported URL scheme (m fetches file://, http:// and https://)`);
  }
  const r = spawnTool(
    'curl',
    [
      '--silent', '--show-error', '--location', '--fail',
      '--proto', '=http,https', '--proto-redir', '=http,https',
      '--connect-timeout', '60', '--speed-limit', '1', '--speed-time', '300',
      '--write-out', '%{http_code}', '--output', file, '--', url,
    ],
    { encoding: 'utf8', env: { ...(env ?? process.env), LC_ALL: 'C' }, maxBuffer: 1 << 20 },
  );
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MError('NOT_AVAILABLE', missing ? `unable to download '${url}': curl is not installed` : `unable to download '${url}': ${r.error.message}`);
  }
  if (r.status !== 0) {
    const code = r.stdout.trim();
    const why = r.status === 22 && /^\d+$/.test(code) ? `HTTP error ${code}` : r.stderr.trim().replace(/^curl: /, '') || `curl exited with ${r.status}`;
    throw new MError('IO_ERROR', `unable to download '${url}': ${why}`);
  }
}

/** A tree's NAR hash and the tree added to the store under `name`. */
function addTree(sink: FetchSink, dir: string, tree: NarTree, name: string): { path: string; hash: Hash } {
  const hash = narHash('', treeNarSource(tree)).hash;
  const at = nodePath.join(dir, 'tree');
  writeTree(tree, at);
  return { path: sink.add({ name, path: at, method: 'recursive' }), hash };
}

/** Compressions Nix reads through libarchive that the tar reader of @m/eval does not: the Debian tool for each. */
const DECOMPRESSORS: { magic: number[]; tool: string; pkg: string }[] = [
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz', pkg: 'xz-utils' },
  { magic: [0x42, 0x5a, 0x68], tool: 'bzip2', pkg: 'bzip2' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd', pkg: 'zstd' },
];

const startsWith = (b: Uint8Array, magic: number[]): boolean => b.length >= magic.length && magic.every((x, i) => b[i] === x);
const isZip = (b: Uint8Array): boolean => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]);

/** A plain tar: "ustar" at offset 257, or an archive that starts with its end marker (zeros). */
const looksLikeTar = (b: Uint8Array): boolean =>
  (b.length >= 262 && Buffer.from(b.subarray(257, 262)).toString('latin1') === 'ustar') || (b.length >= 512 && b.subarray(0, 512).every((x) => x === 0));

/** `file` decompressed by `tool -dc` (a tar inside, for @m/eval's reader). */
function decompress(file: string, tool: string, pkg: string, url: string, env: NodeJS.ProcessEnv | undefined): Uint8Array {
  const r = spawnTool(tool, ['-dc', '--', file], { env: { ...(env ?? process.env), LC_ALL: 'C' }, maxBuffer: MAX_BUFFER });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MError('NOT_AVAILABLE', missing ? `cannot unpack '${url}': it needs ${tool} (Debian package ${pkg}), which is not installed` : `cannot unpack '${url}': ${r.error.message}`);
  }
  if (r.status !== 0) throw new MError('EVAL_ERROR', `failed to extract archive '${url}' (${tool}: ${r.stderr.toString('utf8').trim() || `exit ${r.status}`})`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
}

/** A directory on disk as a tree (symlinks kept, never followed; only regular files, dirs and links). */
function readTree(p: string, url: string): NarTree {
  const st = fs.lstatSync(p);
  if (st.isSymbolicLink()) return { type: 'symlink', target: fromUtf8(fs.readlinkSync(p, { encoding: 'buffer' })) };
  if (st.isFile()) return { type: 'regular', executable: (st.mode & 0o100) !== 0, contents: new Uint8Array(fs.readFileSync(p)) };
  if (!st.isDirectory()) throw new MError('EVAL_ERROR', `failed to extract archive '${url}' (member '${nodePath.basename(p)}' is not a file, directory or symlink)`);
  const entries = new Map<string, NarTree>();
  for (const n of fs.readdirSync(p).sort()) entries.set(n, readTree(nodePath.join(p, n), url));
  return { type: 'directory', entries };
}

/** A zip archive unpacked by Info-ZIP's unzip (Debian package unzip) into a tree. */
function unzipTree(file: string, dir: string, url: string, env: NodeJS.ProcessEnv | undefined): Dir {
  const to = nodePath.join(dir, 'unzipped');
  fs.mkdirSync(to);
  const r = spawnTool('unzip', ['-qq', '-X', file, '-d', to], { env: { ...(env ?? process.env), LC_ALL: 'C' }, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MError('NOT_AVAILABLE', missing ? `cannot unpack '${url}': zip archives need unzip (Debian package unzip), which is not installed` : `cannot unpack '${url}': ${r.error.message}`);
  }
  if (r.status !== 0 && r.status !== 1) throw new MError('EVAL_ERROR', `failed to extract archive '${url}' (unzip: ${r.stderr.trim() || `exit ${r.status}`})`);
  return readTree(to, url) as Dir;
}

function fetchUrl(sink: FetchSink, req: FetchUrlRequest): string {
  return withTemp(sink, (dir) => {
    const file = nodePath.join(dir, 'download');
    download(req.url, file, sink.env);
    let bytes: Uint8Array = new Uint8Array(fs.readFileSync(file));
    if (req.unpack && isZip(bytes)) return addTree(sink, dir, checkUnpacked(req, unzipTree(file, dir, req.url, sink.env)).tree, req.name).path;
    const packed = req.unpack ? DECOMPRESSORS.find((d) => startsWith(bytes, d.magic)) : undefined;
    if (packed) bytes = decompress(file, packed.tool, packed.pkg, req.url, sink.env);
    else if (req.unpack && !startsWith(bytes, [0x1f, 0x8b]) && !looksLikeTar(bytes)) {
      throw new MError('EVAL_ERROR', `cannot unpack '${req.url}': it is not a tar archive (plain, gzip, xz, bzip2 or zstd) or a zip archive`);
    }
    const got = checkFetched(req, bytes);
    if (got.method === 'flat') {
      fs.chmodSync(file, 0o644);
      return sink.add({ name: req.name, path: file, method: 'flat' });
    }
    return addTree(sink, dir, got.tree, req.name).path;
  });
}

// ---- git ------------------------------------------------------------------------------------

interface GitRun {
  status: number;
  stdout: Buffer;
  stderr: string;
}

function git(args: string[], env: NodeJS.ProcessEnv | undefined, cwd?: string): GitRun {
  const r = spawnTool('git', ['-c', 'safe.directory=*', '-c', 'protocol.file.allow=always', ...args], {
    cwd,
    env: { ...(env ?? process.env), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    maxBuffer: MAX_BUFFER,
  });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MError('NOT_AVAILABLE', missing ? 'fetchGit needs git, which is not installed' : `git: ${r.error.message}`);
  }
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

function gitOk(args: string[], env: NodeJS.ProcessEnv | undefined, what: string): Buffer {
  const r = git(args, env);
  if (r.status !== 0) throw new MError('IO_ERROR', `${what}${r.stderr ? `:\n${r.stderr}` : ''}`);
  return r.stdout;
}

/** The tracked files of a working tree that exist on disk, as a tree (Nix's dirty-tree filter). */
function workingTree(repo: string, env: NodeJS.ProcessEnv | undefined, submodules: boolean): Dir {
  const listing = gitOk(['-C', repo, 'ls-files', '-z', ...(submodules ? ['--recurse-submodules'] : [])], env, `cannot list the files of git repository '${repo}'`);
  const root: Dir = { type: 'directory', entries: new Map() };
  for (const rel of listing.toString('latin1').split('\0')) {
    if (rel === '') continue;
    const relName = fromUtf8(Buffer.from(rel, 'latin1'));
    const abs = Buffer.concat([Buffer.from(repo + '/'), Buffer.from(rel, 'latin1')]);
    let st: fs.Stats;
    const parts = relName.split('/');
    let d: Dir = root;
    let gone = false;
    let onDisk = repo;
    for (const p of parts.slice(0, -1)) {
      // Nix filters the directory on disk: a directory holding tracked files is kept even when
      // those files were deleted (it may end up empty); one deleted itself is gone, and so is one
      // replaced by a symlink (never followed: what it points to is not the repository's).
      onDisk += '/' + p;
      if (!fs.lstatSync(onDisk, { throwIfNoEntry: false })?.isDirectory()) {
        gone = true;
        break;
      }
      const c = d.entries.get(p);
      if (c !== undefined && c.type === 'directory') d = c as Dir;
      else {
        const fresh: Dir = { type: 'directory', entries: new Map() };
        d.entries.set(p, fresh);
        d = fresh;
      }
    }
    if (gone) continue; // below a directory that is gone or no longer a directory
    try {
      st = fs.lstatSync(abs);
    } catch {
      continue; // deleted in the working tree
    }
    let node: NarTree;
    if (st.isSymbolicLink()) node = { type: 'symlink', target: fromUtf8(fs.readlinkSync(abs, { encoding: 'buffer' })) };
    else if (st.isFile()) node = { type: 'regular', executable: (st.mode & 0o100) !== 0, contents: new Uint8Array(fs.readFileSync(abs)) };
    else continue; // a submodule's directory (gitlink) holds no tracked file of its own
    d.entries.set(parts[parts.length - 1]!, node);
  }
  return root;
}

const ZERO_REV = '0'.repeat(40);

function commitInfo(repo: string, rev: string, env: NodeJS.ProcessEnv | undefined): { revCount: number; lastModified: number } {
  const count = gitOk(['-C', repo, 'rev-list', '--count', rev], env, `cannot count the commits of '${rev}'`).toString().trim();
  const time = gitOk(['-C', repo, 'log', '-1', '--format=%ct', rev], env, `cannot read commit '${rev}'`).toString().trim();
  return { revCount: Number(count), lastModified: Number(time) };
}

function hasCommit(repo: string, rev: string, env: NodeJS.ProcessEnv | undefined): boolean {
  return git(['-C', repo, 'cat-file', '-e', `${rev}^{commit}`], env).status === 0;
}

function fetchGit(sink: FetchSink, req: FetchGitRequest): FetchGitResult {
  const env = sink.env;
  const localPath = req.url.startsWith('file://') ? decodeURIComponent(req.url.slice('file://'.length)) : undefined;
  // Nix 2.8 reads a directory as a working tree only when it has a .git; a bare repository it
  // fetches like a remote one. A directory inside another repository (git itself would find the
  // enclosing one) or no repository at all is refused.
  const isLocal = localPath !== undefined && fs.existsSync(nodePath.join(localPath, '.git'));
  if (localPath !== undefined && !isLocal) {
    const bare = git(['-C', localPath, 'rev-parse', '--is-bare-repository'], env);
    if (bare.status !== 0 || bare.stdout.toString().trim() !== 'true') {
      throw new MError('IO_ERROR', `'${localPath}' does not appear to be a git repository`);
    }
  }
  const shownUrl = isLocal ? localPath! : req.url;
  const warnings: string[] = [];

  let repo: string;
  let ref = req.ref;
  if (isLocal) {
    repo = shownUrl;
    if (git(['-C', repo, 'rev-parse', '--git-dir'], env).status !== 0) {
      throw new MError('IO_ERROR', `'${shownUrl}' does not appear to be a git repository`);
    }
    if (ref === undefined && req.rev === undefined) {
      const head = git(['-C', repo, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], env);
      const clean = head.status === 0 && git(['-C', repo, 'diff-index', '--quiet', 'HEAD', '--'], env).status === 0;
      if (!clean) {
        // A dirty working tree (or one without commits): its tracked files as they are on disk.
        warnings.push(`Git tree '${shownUrl}' is dirty`);
        const lastModified = head.status === 0 ? commitInfo(repo, 'HEAD', env).lastModified : 0;
        const tree = workingTree(repo, env, req.submodules);
        const added = withTemp(sink, (dir) => addTree(sink, dir, tree, req.name));
        return { storePath: added.path, rev: ZERO_REV, revCount: 0, lastModified, narHash: added.hash.bytes, warnings };
      }
    }
    if (ref === undefined) {
      const sym = git(['-C', repo, 'symbolic-ref', '--quiet', '--short', 'HEAD'], env);
      ref = sym.status === 0 ? sym.stdout.toString().trim() : 'HEAD';
    }
  } else {
    // A bare clone per URL, kept between runs: a pinned rev already fetched needs no network.
    repo = nodePath.join(sink.gitCacheDir, createHash('sha256').update(req.url).digest('hex').slice(0, 32));
    if (!fs.existsSync(nodePath.join(repo, 'HEAD'))) {
      fs.mkdirSync(repo, { recursive: true });
      gitOk(['init', '--bare', '--quiet', repo], env, `cannot create a git cache at '${repo}'`);
    }
    // Nix 2.8 (fetchers/git.cc): a remote repository without `ref` means its branch master, not
    // its HEAD (later Nix versions ask the remote for HEAD).
    ref ??= 'master';
    if (req.rev === undefined || !hasCommit(repo, req.rev, env)) {
      const refspec = req.allRefs ? '+refs/*:refs/*' : ref.startsWith('refs/') || ref === 'HEAD' ? `+${ref}:${ref === 'HEAD' ? 'refs/m/HEAD' : ref}` : `+${ref}:refs/heads/${ref}`;
      const r = git(['-C', repo, 'fetch', '--quiet', '--force', '--', req.url, refspec], env);
      if (r.status !== 0) throw new MError('IO_ERROR', `cannot fetch ref '${ref}' of git repository '${req.url}'${r.stderr ? `:\n${r.stderr}` : ''}`);
      if (ref === 'HEAD') ref = 'refs/m/HEAD';
    }
  }

  let rev = req.rev;
  if (rev === undefined) {
    const r = git(['-C', repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], env);
    if (r.status !== 0) throw new MError('IO_ERROR', `cannot find Git ref '${req.ref ?? ref}' in repository '${shownUrl}'`);
    rev = r.stdout.toString().trim();
  } else if (!hasCommit(repo, rev, env)) {
    throw new MError(
      'IO_ERROR',
      `Cannot find Git revision '${rev}' in ref '${req.ref ?? ref}' of repository '${shownUrl}'! Please make sure that the rev exists on the ref you've specified or add allRefs = true; to fetchGit.`,
    );
  }
  const tar = gitOk(['-C', repo, 'archive', '--format=tar', rev], env, `cannot export revision '${rev}' of '${shownUrl}'`);
  const tree = unpackTarball(new Uint8Array(tar.buffer, tar.byteOffset, tar.byteLength), req.url);
  if (req.submodules && tree.entries.has('.gitmodules')) {
    throw new MError('NOT_AVAILABLE', `fetchGit with submodules = true: '${shownUrl}' has submodules, which m does not fetch yet`);
  }
  const added = withTemp(sink, (dir) => addTree(sink, dir, tree, req.name));
  return { storePath: added.path, rev, ...commitInfo(repo, rev, env), narHash: added.hash.bytes, warnings };
}

/** The EvalIO fetch operations over `sink`. */
export function createFetchers(sink: FetchSink): Fetchers {
  return {
    fetchUrl: (req) => fetchUrl(sink, req),
    fetchGit: (req) => fetchGit(sink, req),
  };
}
