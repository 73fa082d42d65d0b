/** git's index read directly (git-index.ts, git-tracked.ts) against the git CLI's own answers. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitIndexFingerprint, gitIndexPaths } from '../src/git-index';
import { trackedSet } from '../src/git-tracked';
import { makeProject, rmrf } from './helpers';

const dir = makeProject('git-index', {
  'a.nix': '1',
  'makes/x/main.nix': '{ ... }: 1',
  'makes/ü/ñ.nix': 'non-ASCII names',
  [`deep/${'long-name/'.repeat(30)}f`]: 'a long path',
});
const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_DIR: undefined, GIT_INDEX_FILE: undefined } });
const index = path.join(dir, '.git', 'index');

afterAll(() => rmrf(dir));

describe('git index', () => {
  it('lists the paths git ls-files lists, in its order; the fingerprint follows the paths only', () => {
    git('init', '-q');
    git('add', '.');
    const listed = git('ls-files', '-z').split('\0').filter((p) => p !== '');
    expect(gitIndexPaths(index)).toEqual(listed);
    const before = gitIndexFingerprint(index);
    expect(gitIndexFingerprint(index)).toBe(before);
    fs.writeFileSync(path.join(dir, 'a.nix'), '2');
    git('add', 'a.nix');
    expect(gitIndexFingerprint(index)).toBe(before);
    fs.writeFileSync(path.join(dir, 'b.nix'), '3');
    git('add', 'b.nix');
    expect(gitIndexFingerprint(index)).not.toBe(before);
    expect(gitIndexPaths(index)).toContain('b.nix');
  });

  it('a tracked set holds the files and every directory above them', () => {
    const t = trackedSet(index, ['makes/x/main.nix', 'makes/ü/ñ.nix', 'top.nix']);
    for (const rel of ['', 'makes', 'makes/x', 'makes/x/main.nix', 'makes/ü', 'top.nix']) expect(t.has(rel)).toBe(true);
    for (const rel of ['make', 'makes/y', 'makes/x/main', 'x']) expect(t.has(rel)).toBe(false);
  });
});
