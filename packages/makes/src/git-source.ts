/**
 * The project's source as makes sees it. makes builds from a `git worktree` of HEAD with the
 * staged and modified files copied over, so in a git repository only what git tracks (the
 * index: committed, staged and modified files, with their working-tree content) can reach the
 * store; untracked and `.gitignore`d files never do. m applies the same rule where files are
 * copied into the store: every `addPathToStore` of a path inside the project (projectPath,
 * projectSrc, path literals, builtins.path, filterSource) keeps only the index's files and the
 * directories above them. Outside a git work tree the directory is taken as it is.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError } from '@m/core';
import type { EvalIO } from '@m/eval';

export interface GitSource {
  /** The work tree's index file (`git add` and checkouts change it). */
  indexFile: string;
  /** True when `rel` (relative to the project, '' for the project itself) is tracked or above a tracked file. */
  has(rel: string): boolean;
}

function inGitWorkTree(dir: string): boolean {
  for (let d = dir; ; d = nodePath.dirname(d)) {
    if (fs.existsSync(nodePath.join(d, '.git'))) return true;
    if (nodePath.dirname(d) === d) return false;
  }
}

function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv): Buffer {
  return execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/**
 * The files git tracks under `projectDir`, or undefined when it is not in a git work tree. A
 * work tree git cannot read (git missing, a repository owned by another user) is an error rather
 * than a reason to copy untracked files.
 */
export function readGitSource(projectDir: string, env: NodeJS.ProcessEnv): GitSource | undefined {
  if (!inGitWorkTree(projectDir)) return undefined;
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
  const entries = new Set<string>();
  const dirs = new Set<string>(['']);
  for (const rel of listing.toString('utf8').split('\0')) {
    if (rel === '') continue;
    entries.add(rel);
    for (let d = nodePath.posix.dirname(rel); d !== '.' && !dirs.has(d); d = nodePath.posix.dirname(d)) dirs.add(d);
  }
  return { indexFile: nodePath.join(gitDir, 'index'), has: (rel) => entries.has(rel) || dirs.has(rel) };
}

/**
 * `inner` with `addPathToStore` restricted to what git tracks for paths inside `projectDir`;
 * copying an untracked file or directory itself is an error that says so. `onGitUsed` runs the
 * first time the restriction applies (for the eval cache: the index is a dependency). The
 * `ownDirs` (m's out-links, a store inside the project) are left out of every copy, in git or not:
 * out-links change with every build, so a copy holding them would never be the same twice.
 */
export function gitSourceIO(
  inner: EvalIO,
  projectDir: string,
  env: NodeJS.ProcessEnv,
  onGitUsed: (src: GitSource) => void,
  ownDirs: ReadonlySet<string> = new Set(),
): EvalIO {
  let src: GitSource | undefined | null = null; // null: not read yet
  const source = (): GitSource | undefined => {
    if (src === null) {
      src = readGitSource(projectDir, env);
      if (src) onGitUsed(src);
    }
    return src;
  };
  const relOf = (p: string): string | undefined => {
    const rel = nodePath.relative(projectDir, p);
    return rel.startsWith('..') || nodePath.isAbsolute(rel) ? undefined : rel.split(nodePath.sep).join('/');
  };
  return {
    ...inner,
    addPathToStore(o) {
      const root = relOf(nodePath.resolve(o.path));
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
          const rel = relOf(nodePath.resolve(p));
          if (rel !== undefined && !git.has(rel)) return false;
          return filter ? filter(p, type) : true;
        },
      });
    },
  };
}
