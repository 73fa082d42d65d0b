/**
 * Crash safety with real child processes killed (SIGKILL) in the middle of adding a big tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../src/index';
import { type Job, makeBigTree, result, rmrf, run, tmpDir, workerScript } from './helpers';

let work: string;
let worker: string;
beforeAll(() => {
  work = tmpDir('proc');
  worker = workerScript();
});
afterAll(() => {
  rmrf(work);
  fs.rmSync(worker, { force: true });
});

describe('crash safety', () => {
  test('SIGKILL at several moments of a big add never leaves a valid partial path', async () => {
    const src = makeBigTree(path.join(work, 'big'), 300, 4 * 1024, 12);
    const root = path.join(work, 'crash-store');
    const job: Job = { root, adds: [{ name: 'big', srcPath: src }] };

    // Calibrate: a full add into a scratch store.
    const t0 = Date.now();
    const ref = result(await run(worker, { ...job, root: path.join(work, 'calibrate') }));
    const full = Date.now() - t0;
    const expected = ref.paths[0]!;

    let killed = 0;
    for (const frac of [0.3, 0.6, 0.8, 0.95]) {
      const o = await run(worker, job, Math.round(full * frac));
      if (o.signal === 'SIGKILL') killed++;
      const s = openStore({ root });
      if (s.isValid(expected)) {
        // Valid means complete: contents hash to the registered NAR hash.
        const v = s.verify({ checkContents: true });
        expect(v.corrupt).toEqual([]);
        expect(v.missing).toEqual([]);
        s.close();
        break; // later kills would only hit the fast path
      }
      // Not valid: whatever is on disk is garbage, never registered.
      expect(s.queryPathInfo(expected)).toBeUndefined();
      s.close();
    }
    expect(killed).toBeGreaterThan(0);

    // The next add succeeds and yields the complete, verified path.
    const done = result(await run(worker, job));
    expect(done.paths).toEqual([expected]);
    const s = openStore({ root });
    const v = s.verify({ checkContents: true });
    expect(v.ok).toBe(true);
    expect(v.notCanonical).toEqual([]);
    // gc sweeps the dead processes' temp space (and nothing valid, since we root it).
    s.gc({ roots: [expected] });
    expect(fs.readdirSync(s.layout.tmp)).toEqual([]);
    expect(fs.readdirSync(s.layout.locks)).toEqual([]);
    expect(s.isValid(expected)).toBe(true);
    s.close();
  });
});
