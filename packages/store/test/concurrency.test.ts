/**
 * Concurrent adders of overlapping paths in real child processes.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../src/index';
import { type Job, makeBigTree, result, rmrf, run, tmpDir, workerScript } from './helpers';

const require = createRequire(import.meta.url);

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

describe('concurrency', () => {
  test('4 processes adding overlapping paths: all succeed, each path written once', async () => {
    const srcs = [0, 1, 2, 3].map((i) => makeBigTree(path.join(work, `tree${i}`), 80 + i, 4096, 4));
    const root = path.join(work, 'conc-store'); // fresh: the processes also race to create the database
    const jobs: Job[] = [0, 1, 2, 3].map((i) => ({
      root,
      adds: [
        { name: 'shared', srcPath: srcs[0]! },
        { name: `t${i}`, srcPath: srcs[i]! },
        { name: `t${(i + 1) % 4}`, srcPath: srcs[(i + 1) % 4]! },
        { name: 'flat', srcPath: path.join(srcs[1]!, 'd0', 'f0'), method: 'flat' },
      ],
      texts: [{ name: 'note', text: 'shared note' }],
    }));
    const outcomes = await Promise.all(jobs.map((j) => run(worker, j)));
    const results = outcomes.map(result);

    // Same inputs, same paths, in every process.
    const byName = new Map<string, string>();
    results.forEach((r, i) =>
      r.paths.forEach((p, k) => {
        const name = k < 4 ? jobs[i]!.adds[k]!.name : 'note';
        if (byName.has(name)) expect(p).toBe(byName.get(name));
        byName.set(name, p);
      }),
    );
    const distinct = new Set(byName.values());
    expect(distinct.size).toBe(7); // shared, t0..t3, flat, note
    const written = results.flatMap((r) => r.written).sort();
    expect(written).toEqual([...distinct].sort());

    const s = openStore({ root });
    const v = s.verify({ checkContents: true });
    expect(v.ok).toBe(true);
    expect(v.invalidOnDisk).toEqual([]);
    for (const p of distinct) expect(s.isValid(p)).toBe(true);
    s.close();
  });

  test('opening the store while another process checkpoints a growing database: never taken for damage', async () => {
    const root = path.join(work, 'checkpointing');
    openStore({ root }).close();
    const dbFile = path.join(root, '.m', 'db.sqlite');
    expect(fs.existsSync(dbFile)).toBe(true);
    // Another connection grows the database fast, so SQLite checkpoints often: each checkpoint
    // writes the header's new page count before the pages that extend the file.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(process.argv[1]);
         db.pragma('journal_mode = WAL'); db.exec('CREATE TABLE IF NOT EXISTS scratch (x BLOB)');
         const ins = db.prepare('INSERT INTO scratch VALUES (?)'); const end = Date.now() + 3000;
         while (Date.now() < end) db.transaction(() => { for (let i = 0; i < 50; i++) ins.run(Buffer.alloc(3000, 1)); })();
         db.exec('DROP TABLE scratch'); db.close();`,
        dbFile,
      ],
      { stdio: 'inherit' },
    );
    const done = new Promise<number | null>((resolve) => writer.on('close', resolve));
    let opened = 0;
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      openStore({ root }).close();
      opened++;
      await new Promise((r) => setImmediate(r));
    }
    expect(await done).toBe(0);
    expect(opened).toBeGreaterThan(10);
  }, 60_000);
});
