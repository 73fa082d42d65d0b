/**
 * Issue 10, Python tools of makes ≤ 24.09 ported: formatPython with Debian's black and isort (in
 * CI it shows black's diff and fails; otherwise it rewrites the file, black then isort's import
 * order, after which the CI check passes) and testPython with Debian's pytest (a failing test
 * fails the script with pytest's report; the project's own package and six come from searchPaths).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { gitProject } from './git-project';

const files: Record<string, string> = {
  'makes.nix': `{ inputs, projectPath, ... }: {
    formatPython.default.targets = [ "/src" ];
    testPython.unit = {
      src = "/pytests";
      extraFlags = [ "-k" "add or six" ];
      searchPaths.export = [ [ "PYTHONPATH" "\${inputs.nixpkgs.python3-six}/lib/python3/dist-packages:\${projectPath "/lib"}" "" ] ];
    };
  }`,
  'lib/calc/__init__.py': 'def add(a, b):\n    return a + b\n',
  'pytests/test_calc.py': 'import six\nfrom calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 4\n\n\ndef test_six():\n    assert six.PY3\n',
  'src/ugly.py': 'import sys, os\nx = {  "a":1 }\nprint(x, sys, os)\n',
};

const { project, m } = gitProject('m-issue10-format-python-', files);

describe.skipIf(!mIsBuilt())('issue 10: formatPython (black, isort) and testPython (pytest)', () => {
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

  it("testPython: a failing test fails with pytest's report; fixed, both pass", async () => {
    const r = await m(['.', '/testPython/unit']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('assert 3 == 4');
    expect(r.stdout).toContain('FAILED test_calc.py::test_add');
    fs.writeFileSync(path.join(project, 'pytests/test_calc.py'), files['pytests/test_calc.py']!.replace('== 4', '== 3'));
    const ok = await m(['.', '/testPython/unit']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2 passed');
  }, 360_000);
});
