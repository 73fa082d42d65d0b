/** The built `m` command as a process: dispatch, bad flags (compared with nix-instantiate), exit codes, closed pipes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/m.js');
const dir = mkdtempSync(join(tmpdir(), 'm-cli-proc-'));
const storeDir = join(dir, 'store');

function m(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8', env: { ...process.env, M_STORE: storeDir } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function nix(args: string[], input?: string) {
  const r = spawnSync('nix-instantiate', args, { cwd: dir, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Newest modification time under a directory (sources of all packages). */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

function bundleIsStale(): boolean {
  const outputs = ['m.js', 'm-worker.js'].map((f) => join(root, 'packages/cli/dist', f));
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const pkgs = join(root, 'packages');
  return readdirSync(pkgs).some((p) => existsSync(join(pkgs, p, 'src')) && newest(join(pkgs, p, 'src')) > built);
}

// Built (when stale) at collection time so that evaluator-dependent tests can be skipped until it exists.
if (bundleIsStale()) execFileSync(process.execPath, [join(root, 'packages/cli/build.mjs')], { stdio: 'inherit' });
const evalReady = m(['instantiate', '--eval', '-E', '1']).stdout === '1\n';

beforeAll(() => {
  writeFileSync(join(dir, 'e1.nix'), 'let\n  a = 1;\n  b = a.x;\nin\n  b\n');
  writeFileSync(join(dir, 'e2.nix'), 'let\n  a = 1;\n  b = c;\nin\n  b\n');
});

describe('m dispatch', () => {
  it('--help and --version', () => {
    const h = m(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('instantiate');
    expect(m(['--version'])).toMatchObject({ status: 0, stdout: 'm 0.1.0\n' });
    expect(m(['instantiate', '--help']).stdout).toContain('--argstr');
  });

  it('no command, unknown command and unknown global flag exit 1 with a message', () => {
    expect(m([]).status).toBe(1);
    expect(m(['bogus'])).toMatchObject({ status: 1, stdout: '', stderr: "error: unknown command 'bogus'\nTry 'm --help' for more information.\n" });
    expect(m(['--bogus'])).toMatchObject({ status: 1, stderr: "error: unrecognised flag '--bogus'\nTry 'm --help' for more information.\n" });
  });
});

describe('m instantiate bad flags, as nix-instantiate', () => {
  const cases = [['--foo'], ['-A'], ['--arg', 'x'], ['-Afoo'], ['--', '--foo'], ['--eval', '-E', '1', '-I']];
  for (const args of cases) {
    it(args.join(' '), () => {
      const want = nix(args);
      const got = m(['instantiate', ...args]);
      expect(got.status).toBe(1);
      expect(want.status).toBe(1);
      expect(got.stderr).toBe(want.stderr.replace("'nix-instantiate --help'", "'m instantiate --help'"));
      expect(got.stdout).toBe('');
    });
  }
});

describe('closed standard output', () => {
  it('EPIPE on stdout does not crash', () => {
    const r = spawnSync('bash', ['-c', `(sleep 0.3; exec "${process.execPath}" "${bin}" --help) | true; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stdout).toBe('status=0\n');
    expect(r.stderr).toBe('');
  });

  it('a closed stdout descriptor does not crash', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" --help >&-; echo "status=$?"`], { encoding: 'utf8' });
    expect(r.stdout).toBe('status=0\n');
    expect(r.stderr).toBe('');
  });
});

describe('m instantiate with the evaluator', () => {
  const same = (args: string[], input?: string) => {
    const want = nix(args, input);
    const got = m(['instantiate', ...args], input);
    expect({ status: got.status, stdout: got.stdout, stderr: got.stderr }).toEqual(want);
  };

  it.skipIf(!evalReady)('errors in a file, -E and stdin render as in Nix', () => {
    same(['--eval', 'e1.nix']);
    same(['--eval', 'e2.nix']);
    same(['--eval', '-E', 'assert 1 == 2; 1']);
    same(['--eval', '-'], 'let a = 1;\nin a.b.c');
    same(['--eval', '-E', 'let f = x: x.y; in f {}']);
    same(['--eval', '--show-trace', '-E', 'let f = x: x.y; in f {}']);
    same(['--eval', '-E', 'let x = {abc=1;}; in x.abd']);
    same(['--eval', '-E', 'throw "boom"']);
    same(['--eval', 'missing.nix']);
  });

  it.skipIf(!evalReady)('prints values, JSON, several attributes, traces', () => {
    same(['--eval', '-E', '1 + 2']);
    same(['--eval', '--strict', '-E', '{ a = [ 1 2 ]; b = "x"; }']);
    same(['--eval', '--json', '-E', '{ a = 1; b = 2; }', '-A', 'a', '-A', 'b']);
    same(['--eval', '-E', 'builtins.trace "hi" 1']);
    same(['--eval', '-E', '{ x }: x', '--arg', 'x', '1 + 1']);
    same(['--eval', '-E', '{ x }: x', '--argstr', 'x', 'str']);
    same(['--parse', '-E', 'let a = 1; in a']);
  });

  it.skipIf(!evalReady)('deep recursion does not overflow', () => {
    const src = 'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 30000';
    expect(m(['instantiate', '--eval', '-E', src])).toMatchObject({ status: 0, stdout: '30000\n' });
  });

  it.skipIf(!evalReady)('EPIPE during large output exits like nix (status 0)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" instantiate --eval --strict -E 'builtins.genList (x: x) 200000' | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8', env: { ...process.env, M_STORE: storeDir } });
    expect(r.stdout).toBe('status=0\n');
    expect(r.stderr).toBe('');
  });
});
