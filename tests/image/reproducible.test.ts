/**
 * Reproducibility at the m level: `m . /example` of this repository in two different, fresh stores
 * (different physical locations, separate host-package imports, separate layer caches) gives the
 * same store path and byte-identical archives.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mIsBuilt, type RunResult } from '../lib/run';
import { REPO_ROOT, STORE_PATH_RE, physicalOf, removeAsync, runMakes, shAsync, sha256File } from './helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-image-repro-'));
// Different lengths and depths, so nothing can depend on where the physical store is.
const stores = [path.join(work, 'a', 'store'), path.join(work, 'second-store-somewhere', 'x', 'store')];
let runs: RunResult[] = [];

beforeAll(async () => {
  if (!mIsBuilt()) return;
  runs = await Promise.all(stores.map((storeRoot) => runMakes(['.', '/example'], { cwd: REPO_ROOT, storeRoot })));
}, 240_000);

afterAll(() => removeAsync(work), 300_000);

describe.skipIf(!mIsBuilt())('m . /example in two stores', () => {
  it('both succeed with the same store path', () => {
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/^error/m);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(STORE_PATH_RE);
    }
    expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
  });

  it('the archives are byte-identical (same sha256)', () => {
    const files = stores.map((s, i) => physicalOf(s, runs[i]!.stdout.trim()));
    const [a, b] = files.map(sha256File);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(fs.statSync(files[1]!).size).toBe(fs.statSync(files[0]!).size);
    // Each store computed its own layers: the layer caches are separate, not shared.
    for (const s of stores) expect(fs.readdirSync(path.join(s, '.m', 'image-layer-cache')).length).toBeGreaterThan(0);
  });

  it('the gzip stream carries no name and no time; the tar entries are sorted, owned by 0:0, dated 1970-01-01T00:00:01Z', async () => {
    const file = physicalOf(stores[0]!, runs[0]!.stdout.trim());
    const head = Buffer.alloc(10);
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, head, 0, 10, 0);
    fs.closeSync(fd);
    expect([head[0], head[1], head[2]]).toEqual([0x1f, 0x8b, 8]);
    expect(head[3]! & 0x08).toBe(0); // no FNAME
    expect(head.readUInt32LE(4)).toBe(0); // MTIME 0
    const listing = (await shAsync(`gunzip -c '${file}' | TZ=UTC tar --numeric-owner --full-time -tvf -`)).trim().split('\n');
    const names = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(names).toEqual([...names].sort());
    for (const l of listing) {
      const [, owner, , date, time] = l.split(/\s+/);
      expect(owner).toBe('0/0');
      expect(`${date}T${time}`).toBe('1970-01-01T00:00:01');
    }
    expect(names).toEqual(expect.arrayContaining(['index.json', 'manifest.json', 'oci-layout']));
  });
});
