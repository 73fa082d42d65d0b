/** SIGKILL the realising process at random moments; the store must stay consistent and recover. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '@m/store';
import { afterAll, describe, expect, it } from 'vitest';
import { removeWorkerScript, runWorker, writeLayeredGraph } from './graph';
import { rmrf, tmpDir } from './helpers';

const work = tmpDir('crash');
afterAll(() => {
  rmrf(work);
  removeWorkerScript();
});

describe('crash safety', () => {
  it('killed realises leave no partial valid path; the next realise completes', async () => {
    const root = path.join(work, 'store');
    const setup = openStore({ root });
    const { all, tops } = writeLayeredGraph(setup, 13, 'crash');
    setup.close();
    expect(all.length).toBeGreaterThanOrEqual(50);

    let killed = 0;
    for (let round = 0; round < 5; round++) {
      const o = await runWorker({ root, drvs: tops, jobs: 2 }, 400 + Math.floor(Math.random() * 1800));
      if (o.signal === 'SIGKILL') killed++;
      const s = openStore({ root });
      const v = s.verify({ checkContents: true });
      expect(v.missing).toEqual([]);
      expect(v.corrupt).toEqual([]);
      expect(v.notCanonical).toEqual([]);
      expect(v.ok).toBe(true);
      // Every valid output has its whole closure valid (registration is all-or-nothing).
      for (const d of all) {
        const out = s.derivationOutputs(d).get('out')!;
        if (s.isValid(out)) for (const r of s.references(out)) expect(s.isValid(r)).toBe(true);
      }
      s.close();
    }
    expect(killed).toBeGreaterThan(0);

    const o = await runWorker({ root, drvs: tops, jobs: 2 });
    expect(o.stderr).toBe('');
    expect(o.code).toBe(0);
    const s = openStore({ root });
    for (const d of all) expect(s.isValid(s.derivationOutputs(d).get('out')!)).toBe(true);
    const v = s.verify({ checkContents: true });
    expect(v.ok).toBe(true);
    expect(v.invalidOnDisk).toEqual([]);
    // The recovered outputs have the content their builders wrote.
    const top = s.derivationOutputs(tops[0]!).get('out')!;
    expect(fs.readFileSync(path.join(s.realPath(top), 'name'), 'utf8')).toBe('crash-l3-0\n');
    s.close();
  });
});
