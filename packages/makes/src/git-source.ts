/**
 * The project's source as makes sees it. makes evaluates and builds a copy of the repository
 * holding only what git tracks (the index: committed, staged and modified files, with their
 * working-tree content), so untracked and `.gitignore`d files neither reach the store nor are seen
 * by the evaluation. m applies the same rule through an EvalIO wrapper: inside the project, an
 * untracked path does not exist for `import`, `readFile`, `readDir`, `pathExists` (and output
 * discovery), and every `addPathToStore` (projectPath, projectSrc, path literals, builtins.path,
 * filterSource) keeps only the index's files and the directories above them. Outside a git work
 * tree the directory is taken as it is. git-tracked.ts is the same view for the CLI's main thread.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError, isMError } from '@m/core';
import type { EvalIO } from '@m/eval';
import { type TrackedFiles, gitWorkTreeTop, projectRel, trackedSet } from './git-tracked';

export type GitSource = TrackedFiles;

function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv): Buffer {
  return execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/**
 * The files git tracks under `projectDir`, or undefined when it is not in a git work tree. A
 * work tree git cannot read (git missing, a repository owned by another user) is an error rather
 * than a reason to copy untracked files.
 */
export function readGitSource(projectDir: string, env: NodeJS.ProcessEnv): GitSource | undefined {
  if (gitWorkTreeTop(projectDir) === undefined) return undefined;
  let gitDir: string;
  let listing: Buffer;
  try {
    const inside = runGit(['rev-parse', '--is-inside-work-tree', '--absolute-git-dir'], projectDir, env).toString('utf8').split('\n');
    if (inside[0] !== 'true') return undefined; // e.g. inside a .git directory or a bare repository
    gitDir = inside[1]!;
    listing = runGit(['ls-files', '-z', '--cached'], projectDir, env);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer; status?: number };
    const why = err.code === 'ENOENT' ? 'git is not installed' : (err.stderr?.toString('utf8').trim().split('\n')[0] ?? err.message);
    // "not a git repository": a .git that is not one (a leftover file) — the directory as it is.
    if (/not a git repository/i.test(why)) return undefined;
    throw new MError('IO_ERROR', `cannot list the files git tracks in '${projectDir}': ${why}`, {
      hint: 'in a git repository m copies only tracked files into the store (as makes); git must be able to read it',
    });
  }
  return trackedSet(nodePath.join(gitDir, 'index'), listing.toString('utf8').split('\0'));
}

export interface GitSourceOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  /** Runs the first time the git view applies (for the eval cache: the index is a dependency). */
  onGitUsed: (src: GitSource) => void;
  /**
   * m's own folders (out-links, a store inside the project): left out of every copy, in git or
   * not. Out-links change with every build, so a copy holding them would never be the same twice.
   */
  ownDirs?: ReadonlySet<string>;
  /** Folders read as they are even inside the project (the framework's own files, when the project is m's repository). */
  asIs?: readonly string[];
  /** false: the project is not seen through git (a revision exported by the CLI). */
  git?: boolean;
}

/**
 * `inner` restricted, inside `projectDir`, to what git tracks: untracked paths are missing for
 * reads, and copying one into the store is an error that says so.
 */
export function gitSourceIO(inner: EvalIO, opts: GitSourceOptions): EvalIO {
  const { projectDir, env, onGitUsed } = opts;
  const ownDirs = opts.ownDirs ?? new Set<string>();
  const asIs = (opts.asIs ?? []).map((d) => nodePath.resolve(d));
  let src: GitSource | undefined | null = opts.git === false ? undefined : null; // null: not read yet
  const source = (): GitSource | undefined => {
    if (src === null) {
      src = readGitSource(projectDir, env);
      if (src) onGitUsed(src);
    }
    return src;
  };
  const relOf = (p: string): string | undefined => {
    const abs = nodePath.resolve(p);
    if (asIs.some((d) => abs === d || abs.startsWith(d + '/'))) return undefined;
    return projectRel(projectDir, abs);
  };
  /** True for a path inside the project that git does not track. */
  const hidden = (p: string): boolean => {
    const rel = relOf(p);
    if (rel === undefined) return false;
    const git = source();
    return git !== undefined && !git.has(rel);
  };
  const untracked = (p: string, what: string): MError =>
    new MError('IO_ERROR', `${what} '${p}': it is not tracked by git, so makes does not see it`, {
      hint: 'as makes, m evaluates and builds only the files git tracks (committed, staged or modified): git add it',
    });
  return {
    ...inner,
    readFile(p) {
      if (hidden(p)) throw untracked(p, 'opening file');
      return inner.readFile(p);
    },
    readFileBytes(p) {
      if (hidden(p)) throw untracked(p, 'opening file');
      return inner.readFileBytes ? inner.readFileBytes(p) : new TextEncoder().encode(inner.readFile(p));
    },
    pathExists: (p) => !hidden(p) && inner.pathExists(p),
    fileType: (p) => (hidden(p) ? undefined : inner.fileType(p)),
    readDir(p) {
      if (hidden(p)) throw untracked(p, 'opening directory');
      const all = inner.readDir(p);
      if (relOf(p) === undefined || source() === undefined) return all;
      return new Map([...all].filter(([name]) => !hidden(nodePath.join(p, name))));
    },
    addPathToStore(o) {
      const root = relOf(o.path);
      if (root === undefined) return inner.addPathToStore(o);
      const git = source();
      const filter = o.filter;
      if (!git) {
        if (ownDirs.size === 0) return inner.addPathToStore(o);
        return inner.addPathToStore({ ...o, filter: (p, type) => !ownDirs.has(nodePath.resolve(p)) && (filter ? filter(p, type) : true) });
      }
      if (!git.has(root)) {
        throw new MError('IO_ERROR', `'${o.path}' is not tracked by git, so it is not copied into the store`, {
          hint: 'as makes, m builds only the files git tracks (committed, staged or modified): git add it',
        });
      }
      return inner.addPathToStore({
        ...o,
        filter: (p, type) => {
          const rel = relOf(p);
          if (rel !== undefined && !git.has(rel)) return false;
          return filter ? filter(p, type) : true;
        },
      });
    },
  };
}

/**
 * An evaluation error about a missing file that exists but is untracked (`import ./x.nix` of an
 * untracked file says "No such file or directory"), given a hint that says why; other errors as
 * they are.
 */
export function explainUntracked(e: unknown, projectDir: string, env: NodeJS.ProcessEnv): unknown {
  if (!isMError(e) || e.code !== 'IO_ERROR' || e.hint !== undefined) return e;
  const m = /'([^']+)': No such file or directory/.exec(e.message);
  if (!m || projectRel(projectDir, m[1]!) === undefined || !fs.existsSync(m[1]!)) return e;
  const better = new MError(e.code, e.message, {
    pos: e.pos,
    hint: `'${m[1]}' exists but git does not track it; as makes, m evaluates only tracked files (committed, staged or modified): git add it`,
  });
  better.trace.push(...e.trace);
  return better;
}
