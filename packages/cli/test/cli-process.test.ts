/** The built `m` command as a process: dispatch, bad flags (compared with nix-instantiate), exit codes, closed pipes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuilt, root, runM, runNix } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'm-cli-proc-'));
const m = (args: string[]) => runM(args, { cwd: dir });

beforeAll(() => ensureBuilt());

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
      const want = runNix(args, { cwd: dir });
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

describe('start-up', () => {
  // The main thread only parses arguments and starts the worker; a stray import that pulls the
  // parser or evaluator into dist/m.js costs every command tens of milliseconds (issue 12).
  it('the main-thread bundle holds neither the parser nor the evaluator', () => {
    const main = readFileSync(join(root, 'packages/cli/dist/m.js'), 'utf8');
    expect(main).not.toContain('performSelfAnalysis');
    expect(main).not.toContain('valueToJSON');
    expect(main.length).toBeLessThan(200_000);
  });
});
