/**
 * `m instantiate` evaluates on the main thread first and reruns the job in the big-stack worker
 * when the main thread's stack runs out (main-thread-eval.ts): the result, the output and the
 * errors are the same as evaluating in the worker only (M_EVAL_THREAD=worker), nothing printed
 * twice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, evaluatorReady, runM } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'm-main-thread-'));
const env = { M_STORE: join(dir, 'store') };
// Deep enough for the worker's stack only (V8's main-thread stack overflows at a few thousand).
const deep = 'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 30000';
writeFileSync(
  join(dir, 'attrs.nix'),
  `{ a = builtins.trace "in a" 1; b = builtins.trace "in b" (${deep}); c = builtins.trace "in c" 3; d = let f = x: f x; in f 1; }\n`,
);

ensureBuilt();
const ready = evaluatorReady(dir, env);

const run = (args: string[], input?: string) => runM(['instantiate', ...args], { cwd: dir, input, env });
const inWorker = (args: string[], input?: string) => runM(['instantiate', ...args], { cwd: dir, input, env: { ...env, M_EVAL_THREAD: 'worker' } });

describe.skipIf(!ready)('m instantiate on the main thread, then in the worker', () => {
  it('a deep evaluation after output and traces prints each line once', () => {
    const args = ['--eval', 'attrs.nix', '-A', 'a', '-A', 'b', '-A', 'c'];
    const got = run(args);
    expect(got).toEqual({ status: 0, stdout: '1\n30000\n3\n', stderr: 'trace: in a\ntrace: in b\ntrace: in c\n' });
    expect(got).toEqual(inWorker(args));
  });

  it('a stack overflow is the worker’s positioned error, after the output before it', () => {
    const args = ['--eval', 'attrs.nix', '-A', 'a', '-A', 'd'];
    const got = run(args);
    expect(got.status).toBe(1);
    expect(got.stdout).toBe('1\n');
    expect(got.stderr).toMatch(/^trace: in a\nerror: stack overflow \(possible infinite recursion\)\n\n {7}at .*attrs\.nix:1:\d+:/);
    expect(got).toEqual(inWorker(args));
  });

  it('--json output cut short by an error is printed once, on either thread', () => {
    for (const expr of [`[ 1 (${deep}) (throw "x") ]`, '[ 1 (let f = x: f x; in f 1) ]', '[ 1 (throw "x") ]']) {
      const args = ['--eval', '--strict', '--json', '-E', expr];
      const got = run(args);
      expect(got.status).toBe(1);
      expect(got.stdout).toMatch(/^\[1,/);
      expect(got).toEqual(inWorker(args));
    }
  });

  it('deep recursion from standard input', () => {
    const got = run(['--eval', '-'], deep);
    expect(got).toEqual({ status: 0, stdout: '30000\n', stderr: '' });
  });
});
