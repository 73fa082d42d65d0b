/**
 * Output discovery, as makes does it: every `main.nix` under one of the project's makes
 * directories (`extendingMakesDirs`, default `/makes`) is an output named by its folder:
 * `makes/main.nix` → `/`, `makes/foo/main.nix` → `/foo`, `makes/foo/bar/main.nix` → `/foo/bar`.
 * Hidden folders and node_modules are not searched.
 */
import * as nodePath from 'node:path';
import { MError } from '@m/core';

/** The slice of a file system discovery needs (a recording EvalIO or the plain one). */
export interface DirReader {
  readDir(path: string): Map<string, 'regular' | 'directory' | 'symlink' | 'unknown'>;
  fileType(path: string): 'regular' | 'directory' | 'symlink' | 'unknown' | undefined;
}

export const DEFAULT_MAKES_DIRS: readonly string[] = ['/makes'];

/** Output name → absolute path of its main.nix, sorted by name. */
export function discoverOutputs(projectDir: string, makesDirs: readonly string[], fs: DirReader, skip: ReadonlySet<string> = new Set()): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of makesDirs) {
    const rel = '/' + dir.split('/').filter((s) => s !== '' && s !== '.').join('/');
    const root = nodePath.join(projectDir, rel);
    if (fs.fileType(root) !== 'directory') continue;
    const walk = (abs: string, name: string): void => {
      if (skip.has(abs)) return;
      for (const [entry, type] of [...fs.readDir(abs)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (type === 'regular' && entry === 'main.nix') {
          const out = name === '' ? '/' : name;
          if (!found.has(out)) found.set(out, nodePath.join(abs, entry));
        } else if (type === 'directory' && !entry.startsWith('.') && entry !== 'node_modules') {
          walk(nodePath.join(abs, entry), `${name}/${entry}`);
        }
      }
    };
    walk(root, '');
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `max` names closest to `query` (edit distance, then a shared prefix/substring). */
export function closestOutputs(query: string, names: Iterable<string>, max = 3): string[] {
  const q = query.toLowerCase();
  const scored = [...names].map((n) => {
    const l = n.toLowerCase();
    let d = levenshtein(q, l);
    if (l.includes(q) || q.includes(l)) d = Math.min(d, Math.abs(l.length - q.length) / 4);
    return { n, d };
  });
  const limit = Math.max(2, Math.floor(query.length / 2));
  return scored
    .filter((s) => s.d <= limit)
    .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1))
    .slice(0, max)
    .map((s) => s.n);
}

/**
 * The error for an output that does not exist, naming the closest ones, or, when `untracked` is
 * given (its main.nix, present but not tracked by git), saying why it is not one.
 */
export function unknownOutputError(name: string, known: Iterable<string>, untracked?: string): MError {
  const close = closestOutputs(name, known);
  if (untracked !== undefined) {
    return new MError('BAD_ARGUMENT', `'${name}' is not an output of this project: '${untracked}' is not tracked by git`, {
      hint: 'as makes, m sees only the files git tracks (committed, staged or modified): git add it',
    });
  }
  return new MError('BAD_ARGUMENT', `'${name}' is not an output of this project`, {
    hint: close.length > 0 ? `Did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : "Run 'm .' to list the outputs.",
  });
}
