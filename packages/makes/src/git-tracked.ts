/**
 * The files of a project in a git work tree as makes sees them: makes evaluates a copy of the
 * repository that holds only what git tracks (committed, staged and modified files), so an
 * untracked or `.gitignore`d `main.nix` is no output and an untracked `.nix` file cannot be
 * imported. This is the light half (no evaluator; the CLI's main thread lists outputs with it):
 * the tracked paths come from git's index file read directly (git-index.ts), or from
 * `git ls-files` when the index is not one this reader knows. git-source.ts applies the same view
 * to evaluation.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { DirReader } from './discover';
import { gitIndexPaths } from './git-index';
import { plainDirReader } from './plain-fs';

/** What git tracks under a project directory. */
export interface TrackedFiles {
  /** The work tree's index file (`git add` and checkouts change it). */
  indexFile: string;
  /** True when `rel` (relative to the project, '/'-separated, '' for the project) is tracked or above a tracked file. */
  has(rel: string): boolean;
}

/** The set view of a list of project-relative tracked files. */
export function trackedSet(indexFile: string, files: Iterable<string>): TrackedFiles {
  const entries = new Set<string>();
  const dirs = new Set<string>(['']);
  for (const rel of files) {
    if (rel === '') continue;
    entries.add(rel);
    // Every directory above it ('a/b/c' → 'a/b', 'a'); git's paths have no empty components.
    for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
      const d = rel.slice(0, i);
      if (dirs.has(d)) break;
      dirs.add(d);
    }
  }
  return { indexFile, has: (rel) => entries.has(rel) || dirs.has(rel) };
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file of a linked work tree). */
export function gitWorkTreeTop(dir: string): string | undefined {
  for (let d = dir; ; d = nodePath.dirname(d)) {
    if (fs.existsSync(nodePath.join(d, '.git'))) return d;
    if (nodePath.dirname(d) === d) return undefined;
  }
}

/** The git directory of the work tree at `top` (`.git`, or where a `.git` file's `gitdir:` points). */
function gitDirOf(top: string): string | undefined {
  const dotGit = nodePath.join(top, '.git');
  try {
    if (fs.statSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    return m ? nodePath.resolve(top, m[1]!.trim()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files git tracks under `projectDir` as the CLI's main thread sees them, or undefined when
 * the project is not in a git work tree (or git cannot say: the evaluation then reports why).
 */
export function readTrackedFiles(projectDir: string, env: NodeJS.ProcessEnv): TrackedFiles | undefined {
  const top = gitWorkTreeTop(projectDir);
  if (top === undefined) return undefined;
  const gitDir = gitDirOf(top);
  const plainGit = env.GIT_DIR === undefined && env.GIT_WORK_TREE === undefined && env.GIT_INDEX_FILE === undefined;
  if (gitDir !== undefined && plainGit) {
    const indexFile = nodePath.join(gitDir, 'index');
    const all = fs.existsSync(indexFile) ? gitIndexPaths(indexFile) : [];
    if (all !== undefined) {
      const prefix = nodePath.relative(top, projectDir).split(nodePath.sep).join('/');
      const under = prefix === '' ? all : all.filter((p) => p.startsWith(prefix + '/')).map((p) => p.slice(prefix.length + 1));
      return trackedSet(indexFile, under);
    }
  }
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached'], { cwd: projectDir, env, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
    return trackedSet(nodePath.join(gitDir ?? nodePath.join(top, '.git'), 'index'), out.toString('utf8').split('\0'));
  } catch {
    return undefined;
  }
}

/** `rel` of `abs` inside `projectDir` ('/'-separated), or undefined outside it. */
export function projectRel(projectDir: string, abs: string): string | undefined {
  const rel = nodePath.relative(projectDir, abs);
  return rel === '..' || rel.startsWith('../') || nodePath.isAbsolute(rel) ? undefined : rel.split(nodePath.sep).join('/');
}

/** A DirReader that shows, inside `projectDir`, only what `tracked` holds. */
export function trackedDirReader(projectDir: string, tracked: TrackedFiles, inner: DirReader = plainDirReader): DirReader {
  const hidden = (abs: string): boolean => {
    const rel = projectRel(projectDir, abs);
    return rel !== undefined && !tracked.has(rel);
  };
  return {
    readDir: (p) => new Map([...inner.readDir(p)].filter(([name]) => !hidden(nodePath.join(p, name)))),
    fileType: (p) => (hidden(p) ? undefined : inner.fileType(p)),
  };
}

/** The project's DirReader as makes sees it: tracked files in a git work tree, else the directory. */
export function projectDirReader(projectDir: string, env: NodeJS.ProcessEnv, gitAware = true): DirReader {
  const tracked = gitAware ? readTrackedFiles(projectDir, env) : undefined;
  return tracked ? trackedDirReader(projectDir, tracked) : plainDirReader;
}
