/** 4 processes realising overlapping parts of one graph in one store. */
import * as path from 'node:path';
import { openStore } from '@m/store';
import { afterAll, describe, expect, it } from 'vitest';
import { removeWorkerScript, runWorker, writeLayeredGraph } from './graph';
import { rmrf, tmpDir } from './helpers';

const work = tmpDir('conc');
afterAll(() => {
  rmrf(work);
  removeWorkerScript();
});

describe('concurrent realise', () => {
  it('4 processes, 60 derivations: each built exactly once, all succeed', async () => {
    const root = path.join(work, 'store');
    const setup = openStore({ root });
    const { all, tops } = writeLayeredGraph(setup, 15, 'conc');
    setup.close();
    expect(all).toHaveLength(60);

    // Each process asks for 9 of the 15 tops (overlapping), in a different order; together all.
    const jobs = [0, 1, 2, 3].map((k) => ({
      root,
      jobs: 3,
      drvs: Array.from({ length: 9 }, (_, i) => tops[(k * 4 + (k % 2 ? 8 - i : i)) % 15]!),
    }));
    const outcomes = await Promise.all(jobs.map((j) => runWorker(j)));
    const results = outcomes.map((o) => {
      expect(o.stderr).toBe('');
      expect(o.code).toBe(0);
      return JSON.parse(o.stdout) as { built: string[]; starts: string[]; outputs: Record<string, { out: string }> };
    });

    const builtEverywhere = results.flatMap((r) => r.built).sort();
    expect(builtEverywhere).toEqual([...all].sort());
    expect(results.flatMap((r) => r.starts).sort()).toEqual([...all].sort());

    const s = openStore({ root });
    const outOf = new Map<string, string>();
    for (const r of results)
      for (const [drv, o] of Object.entries(r.outputs)) {
        if (outOf.has(drv)) expect(o.out).toBe(outOf.get(drv));
        outOf.set(drv, o.out);
        expect(s.isValid(o.out)).toBe(true);
      }
    const v = s.verify({ checkContents: true });
    expect(v.ok).toBe(true);
    expect(v.invalidOnDisk).toEqual([]);
    s.close();
  });
});
