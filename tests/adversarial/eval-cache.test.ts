/**
 * The makes eval cache must notice every change of content: a same-size edit whose mtime is put
 * back (same inode, same size, same mtime) used to return the stale output.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { useMakesProject } from '../makes/fixture';
import { attempt } from './attempt';

const { work, project, m } = useMakesProject('m-eval-cache-');

describe.skipIf(!mIsBuilt())('makes eval cache', () => {
  attempt('input', 'a same-size edit with the mtime restored gives the new output, not the cached one', async () => {
    const first = await m(['.', '/exit3']);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('bye');
    const file = path.join(project, 'makes/exit3/main.nix');
    const before = fs.statSync(file);
    const ref = path.join(work, 'mtime-reference');
    fs.writeFileSync(ref, '');
    execFileSync('touch', ['-r', file, ref]);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('echo bye', 'echo BYE'));
    execFileSync('touch', ['-r', ref, file]);
    fs.rmSync(ref);
    const after = fs.statSync(file);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    const second = await m(['.', '/exit3']);
    expect(second.code).toBe(3);
    expect(second.stdout).toContain('BYE');
  }, 240_000);
});
