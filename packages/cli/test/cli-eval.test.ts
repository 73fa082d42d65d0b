/** `m instantiate` end to end with the evaluator, compared with real nix-instantiate. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, ensureBuilt, evaluatorReady, runM, runNix } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'm-cli-eval-'));
const env = { M_STORE: join(dir, 'store') };
writeFileSync(join(dir, 'e1.nix'), 'let\n  a = 1;\n  b = a.x;\nin\n  b\n');
writeFileSync(join(dir, 'e2.nix'), 'let\n  a = 1;\n  b = c;\nin\n  b\n');
writeFileSync(join(dir, 'e3.nix'), 'let f = x: x.y;\nin f {}\n');
writeFileSync(join(dir, 'imp.nix'), 'import ./e3.nix\n');

// Built and probed at collection time so that these tests are skipped until the evaluator exists.
ensureBuilt();
const ready = evaluatorReady(dir, env);

/** Same exit status, stdout and stderr as nix-instantiate. */
function same(args: string[], input?: string): void {
  const want = runNix(args, { cwd: dir, input });
  const got = runM(['instantiate', ...args], { cwd: dir, input, env });
  expect(got).toEqual(want);
}

describe.skipIf(!ready)('m instantiate with the evaluator', () => {
  it('errors in files, -E and stdin render as in Nix', () => {
    same(['--eval', 'e1.nix']);
    same(['--eval', 'e2.nix']);
    same(['--eval', '-E', 'assert 1 == 2; 1']);
    same(['--eval', '-'], 'let a = 1;\nin a.b.c');
    same(['--eval', '-E', 'let x = {abc=1;}; in x.abd']);
    same(['--eval', 'missing.nix']);
  });

  it('traces: --show-trace, and the hint without it', () => {
    same(['--eval', 'e3.nix']);
    same(['--eval', '--show-trace', 'e3.nix']);
    same(['--eval', 'imp.nix']);
    same(['--eval', '--show-trace', '-E', 'let f = x: x.y; in f {}']);
  });

  it('values, JSON, several attributes, auto arguments, builtins.trace, --parse', () => {
    same(['--eval', '--strict', '-E', '{ a = [ 1 2 ]; b = "x"; }', 'builtins.trace "hi" 1', '{ x }: x', '{ y, x }: y + x', '--arg', 'x', '"1" + "1"', '--argstr', 'y', 'str']);
    same(['--eval', '--json', '-E', '{ a = 1; b = 2; }', '-A', 'a', '-A', 'b']);
    same(['--parse', '-E', 'let a = 1; in a', 'x: x.y or 2']);
  });

  it('derivations: drv paths, !output, the --add-root warning and roots', () => {
    const drv = (name: string, extra = '') => `derivation { name = "${name}"; builder = "/bin/sh"; system = "x86_64-linux"; ${extra} }`;
    same(['-E', drv('x'), `{ a = ${drv('x')}; b = ${drv('y', 'outputs = [ "dev" "out" ];')}; }`, `{ n ? "z" }: ${drv('${n}')}`, '--argstr', 'n', 'q']);
    same(['-E', '1']);
    const r = runM(['instantiate', '--add-root', 'root', '--indirect', '-E', `[ (${drv('x')}) (${drv('y')}) ]`], { cwd: dir, env });
    expect(r).toMatchObject({ status: 0, stdout: `${join(dir, 'root')}\n${join(dir, 'root-2')}\n`, stderr: '' });
    expect(readlinkSync(join(dir, 'root'))).toMatch(/-x\.drv$/);
  });

  it('XML output', () => {
    same(['--eval', '--xml', '--no-location', '-E', '{ a = 1; b = [ 1 "x" ]; }']);
    same(['--eval', '--xml', '--strict', '--no-location', '-E', '{ a.b = 1; c = x: x; }']);
  });

  it('deep recursion does not overflow', () => {
    const src = 'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 30000';
    expect(runM(['instantiate', '--eval', '-E', src], { cwd: dir, env })).toMatchObject({ status: 0, stdout: '30000\n', stderr: '' });
  });

  it('EPIPE during large output exits like nix (status 0, no message)', () => {
    const cmd = `"${process.execPath}" "${bin}" instantiate --eval --strict -E 'builtins.genList (x: x) 200000' | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(r.stdout).toBe('status=0\n');
    expect(r.stderr).toBe('');
  });
});
