/**
 * Deep recursion runs in a worker thread with a 1 GiB stack, as the CLI does. tsx is not
 * available, so the worker entry is bundled with esbuild into a temporary .mjs first.
 */
import { Worker } from 'node:worker_threads';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

let workerFile = '';

beforeAll(async () => {
  workerFile = join(mkdtempSync(join(tmpdir(), 'm-eval-deep-')), 'deep-worker.mjs');
  await build({
    entryPoints: [new URL('./fixtures/deep-worker.ts', import.meta.url).pathname],
    outfile: workerFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
  });
});

function runInWorker(sources: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerFile, { workerData: { sources }, resourceLimits: { stackSizeMb: 1024 } });
    w.once('message', (m: string[]) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('deep recursion (worker with 1 GiB stack)', () => {
  it('recurses 100,000 deep, stops runaway recursion with a positioned stack overflow', async () => {
    const out = await runInWorker([
      'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100000',
      'let f = x: f x; in f 1',
      'let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100',
      'builtins.length (builtins.genList (x: x) 100000)',
      "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 100000)",
      'builtins.deepSeq (builtins.genList (x: [x]) 100000) 1',
    ]);
    expect(out).toEqual([
      '100000',
      'error(STACK_OVERFLOW): stack overflow (possible infinite recursion) @1:12',
      '100',
      '100000',
      '4999950000',
      '1',
    ]);
  }, 60_000);
});

describe('stack exhaustion without a big stack', () => {
  it('becomes MError STACK_OVERFLOW, and thunks stay usable', async () => {
    const { createEvaluator, createPlainFsIO } = await import('../src/index');
    const { isMError } = await import('@m/core');
    const ev = createEvaluator({ io: createPlainFsIO({}) as never, nixPath: [], storeDir: '/nix/store', maxCallDepth: 1e9 });
    let err: unknown;
    try {
      ev.evalString('let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 10000000', '/', '«string»');
    } catch (e) {
      err = e;
    }
    expect(isMError(err) && err.code).toBe('STACK_OVERFLOW');
    expect(ev.printValue(ev.evalString('let x = { a = 1; }; in x.a', '/', '«string»'), { strict: true })).toBe('1');
  });
});
