/**
 * Issue 10, the envs piece left: makePythonPyprojectPackage, built by m itself (makes uses the
 * caller's nixpkgs buildPythonPackage) from a pyproject.toml with Debian's Python 3.11, six as a
 * runtime dependency and Debian's mypy and pytest as test dependencies. check.types and
 * check.tests fail with mypy's and pytest's own findings; once fixed, pkg (which runs both, as
 * makes) and env.runtime give a console script and a `python` seeing the package and six.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { gitProject } from './git-project';

const testDeps = `with inputs.nixpkgs; [ python3-pytest python3-pluggy python3-iniconfig python3-packaging python3-py
      python3-attr python3-mypy python3-mypy-extensions python3-typing-extensions python3-psutil ]`;
const pkgOf = `makePythonPyprojectPackage {
    src = projectPath "/py";
    pkgDeps = { runtime_deps = [ inputs.nixpkgs.python3-six ]; build_deps = [ ]; test_deps = ${testDeps}; };
  }`;

const files: Record<string, string> = {
  'py/pyproject.toml': `[build-system]
requires = ["flit_core >=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "greet"
description = "Says hello"
dynamic = ["version"]
dependencies = ["six"]

[project.scripts]
greet = "greet.cli:main"
`,
  'py/greet/__init__.py': '__version__ = "0.3.1"\n\n\ndef greeting(who: str) -> str:\n    return "hello " + who\n',
  'py/greet/cli.py':
    'import sys\n\nimport six\n\nfrom greet import greeting\n\n\ndef main() -> int:\n    print(greeting(six.text_type(sys.argv[1] if len(sys.argv) > 1 else "world")))\n    return 0\n',
  // Wrong on purpose at first: the expected greeting, and no stubs setting for six under strict.
  'py/tests/test_greet.py': 'from greet import greeting\n\n\ndef test_greeting() -> None:\n    assert greeting("ann") == "hi ann"\n',
  'py/mypy.ini': '[mypy]\nstrict = True\n',
  'makes/types/main.nix': `{ makePythonPyprojectPackage, inputs, projectPath, ... }: (${pkgOf}).check.types`,
  'makes/tests/main.nix': `{ makePythonPyprojectPackage, inputs, projectPath, ... }: (${pkgOf}).check.tests`,
  'makes/pkg/main.nix': `{ makePythonPyprojectPackage, inputs, projectPath, ... }: (${pkgOf}).pkg`,
  'makes/run/main.nix': `{ makePythonPyprojectPackage, makeScript, inputs, projectPath, ... }:
  let p = ${pkgOf}; in
  makeScript {
    name = "run";
    searchPaths.bin = [ p.pkg p.env.runtime ];
    entrypoint = ''
      greet "$1"
      python -c 'import greet, six; print(greet.__version__, six.__name__)'
    '';
  }`,
};

const { project, storeRoot, m } = gitProject('m-issue10-python-', files);

describe.skipIf(!mIsBuilt())('issue 10: makePythonPyprojectPackage', () => {
  it("check.types fails with mypy's findings", async () => {
    const r = await m(['.', '/types']);
    expect(r.code).toBe(100);
    expect(r.stderr).toContain('greet/cli.py:3: error: Library stubs not installed for "six"');
    expect(r.stderr).toContain('Found 1 error in 1 file');
  }, 360_000);

  it("check.tests fails with pytest's findings", async () => {
    const r = await m(['.', '/tests']);
    expect(r.code).toBe(100);
    expect(r.stderr).toContain("AssertionError: assert 'hello ann' == 'hi ann'");
    expect(r.stderr).toContain('1 failed');
  }, 360_000);

  it('fixed: pkg installs the package (checks pass) and env.runtime runs it with six', async () => {
    fs.writeFileSync(path.join(project, 'py/mypy.ini'), '[mypy]\nstrict = True\n\n[mypy-six]\nignore_missing_imports = True\n');
    fs.writeFileSync(path.join(project, 'py/tests/test_greet.py'), files['py/tests/test_greet.py']!.replace('hi ann', 'hello ann'));
    const pkg = await m(['.', '/pkg']);
    expect(pkg.code, pkg.stderr).toBe(0);
    const out = path.join(storeRoot, pkg.stdout.trim().slice('/nix/store/'.length));
    expect(fs.readFileSync(path.join(out, 'lib/python3.11/site-packages/greet-0.3.1.dist-info/METADATA'), 'utf8')).toBe(
      'Metadata-Version: 2.1\nName: greet\nVersion: 0.3.1\nSummary: Says hello\nRequires-Dist: six\n',
    );
    expect(fs.readFileSync(path.join(out, 'lib/python3.11/site-packages/greet/cli.py'), 'utf8')).toBe(files['py/greet/cli.py']);
    const run = await m(['.', '/run', 'ann']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello ann\n0.3.1 six\n');
  }, 360_000);
});
