/**
 * Issue 10, a formatter of makes ≤ 24.09 ported: formatPython with Debian's black and isort. In
 * CI it shows black's diff and fails; otherwise it rewrites the file (black, then isort's import
 * order), after which the CI check passes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, mIsBuilt, runCommand, type RunResult } from '../lib/run';

const files: Record<string, string> = {
  'makes.nix': '{ ... }: { formatPython.default.targets = [ "/src" ]; }',
  'src/ugly.py': 'import sys, os\nx = {  "a":1 }\nprint(x, sys, os)\n',
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-issue10-format-python-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');

function m(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 330_000 });
}

beforeAll(() => {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
  execFileSync('git', ['init', '-q', '.'], { cwd: project });
  execFileSync('git', ['add', '-A'], { cwd: project });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt())('issue 10: formatPython (black, isort)', () => {
  it("in CI shows black's diff and fails; else formats; then CI passes", async () => {
    const ci = await m(['.', '/formatPython/default'], { CI: 'true' });
    expect(ci.code).toBe(1);
    expect(ci.stdout).toContain('-x = {  "a":1 }\n+\n+x = {"a": 1}\n');
    expect(ci.stderr).toContain('1 file would be reformatted.');
    const local = await m(['.', '/formatPython/default']);
    expect(local.code, local.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'src/ugly.py'), 'utf8')).toBe('import os\nimport sys\n\nx = {"a": 1}\nprint(x, sys, os)\n');
    const again = await m(['.', '/formatPython/default'], { CI: 'true' });
    expect(again.code, again.stderr).toBe(0);
  }, 360_000);
});
