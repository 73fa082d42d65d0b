import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildFailure, runBuild } from '../src/index';
import { type TestStore, makeTestStore, processesWith, shRequest } from './helpers';

let store: TestStore;
beforeAll(() => {
  store = makeTestStore();
});
afterAll(() => store.cleanup());

const marker = () => String(900000 + Math.floor(Math.random() * 99999));

async function gone(m: string): Promise<number[]> {
  // The kernel tears a PID namespace down asynchronously; give it a moment.
  for (let i = 0; i < 20 && processesWith(m).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return processesWith(m);
}

describe('build lifecycle', () => {
  it('leaves no process behind after a successful build', async () => {
    const m = marker();
    const r = await runBuild(shRequest(store, `sleep ${m} & sleep ${m} & echo started; echo done > $out`));
    expect(fs.readFileSync(r.outputs.out!, 'utf8')).toBe('done\n');
    expect(await gone(m)).toEqual([]);
  });

  it('kills the whole sandbox on timeout', async () => {
    const m = marker();
    const t0 = Date.now();
    const err = await runBuild(shRequest(store, `sleep ${m} & echo waiting; sleep ${m}`, { timeoutSeconds: 1 })).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toMatch(/^building of '\/nix\/store\/[a-z0-9]{32}-test\.drv!out' from \.drv file timed out after 1 seconds$/);
    expect((err.cause as BuildFailure).kind).toBe('timeout');
    expect((err.cause as BuildFailure).logTail).toEqual(['waiting']);
    expect(await gone(m)).toEqual([]);
  });

  it('kills a build that stays silent too long, but not one that keeps talking', async () => {
    const m = marker();
    const err = await runBuild(shRequest(store, `echo a; sleep ${m}`, { maxSilentSeconds: 1 })).catch((e) => e);
    expect(err.message).toMatch(/timed out after 1 seconds of silence$/);
    expect(await gone(m)).toEqual([]);
    const logFile = path.join(store.physical, 'talking.log');
    await runBuild(shRequest(store, 'for i in 1 2 3 4 5 6; do echo $i; sleep 0.3; done; touch $out', { maxSilentSeconds: 1 }), { logFile });
    expect(fs.readFileSync(logFile, 'utf8')).toBe('1\n2\n3\n4\n5\n6\n');
  });

  it('is killed when the abort signal fires', async () => {
    const m = marker();
    const ac = new AbortController();
    const p = runBuild(shRequest(store, `echo go; sleep ${m}`), { signal: ac.signal, onLog: () => ac.abort() });
    const err = await p.catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    expect((err.cause as BuildFailure).kind).toBe('aborted');
    expect(await gone(m)).toEqual([]);
  });

  it('reports a failing builder with its last 25 log lines', async () => {
    const req = shRequest(store, 'i=1; while [ $i -le 40 ]; do echo line $i; i=$((i+1)); done; exit 3');
    const logFile = path.join(store.physical, 'failing.log');
    const err = await runBuild(req, { logFile }).catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    const tail = Array.from({ length: 25 }, (_, k) => `line ${k + 16}`);
    expect(err.message).toBe(`builder for '${req.drvPath}' failed with exit code 3;\nlast 25 log lines:\n${tail.map((l) => `> ${l}`).join('\n')}`);
    const f = err.cause as BuildFailure;
    expect(f.kind).toBe('exit');
    expect(f.exitCode).toBe(3);
    expect(f.logTail).toEqual(tail);
    expect(fs.readFileSync(logFile, 'utf8').split('\n')).toHaveLength(41);
  });

  it('reports a missing output as Nix does', async () => {
    const req = shRequest(store, 'echo nothing');
    const err = await runBuild(req).catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    expect(err.message).toBe(`builder for '${req.drvPath}' failed to produce output path for output 'out' at '${req.outputs.out}'`);
    expect((err.cause as BuildFailure).kind).toBe('missing-output');
  });

  it('cleans up its temp space after a failure', async () => {
    const tempDir = fs.mkdtempSync(path.join(store.physical, '.t-'));
    await runBuild(shRequest(store, 'echo x > $out; mkdir /build/d; exit 1', { tempDir })).catch(() => undefined);
    expect(fs.readdirSync(tempDir)).toEqual([]);
  });

  it('dies with the process that started it (SIGKILL)', async () => {
    const m = marker();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-builder-parent-'));
    try {
      const script = path.join(dir, 'parent.ts');
      fs.writeFileSync(
        script,
        `import { runBuild } from ${JSON.stringify(path.resolve(__dirname, '../src/index.ts'))};
         import { makeTestStore, shRequest } from ${JSON.stringify(path.resolve(__dirname, 'helpers.ts'))};
         const store = makeTestStore();
         runBuild(shRequest(store, 'sleep ${m} & echo started; sleep ${m}'), { onLog: (l) => console.log(l) });`,
      );
      const bundle = path.join(dir, 'parent.mjs');
      await esbuild({ entryPoints: [script], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
      const child = spawn(process.execPath, [bundle], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: dir } });
      await new Promise<void>((resolve) => child.stdout!.on('data', (b: Buffer) => b.toString().includes('started') && resolve()));
      expect(processesWith(m).length).toBeGreaterThan(0);
      child.kill('SIGKILL');
      expect(await gone(m)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
