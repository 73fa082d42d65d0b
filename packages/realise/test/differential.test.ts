/**
 * Differential test against real Nix 2.8: the derivations of differential/cases.nix are evaluated
 * by m's evaluator into a fresh m store and realised there, and built by real nix-build (sandboxed,
 * /bin/sh = busybox as in m's sandbox). The .drv paths, output paths, NAR hashes, sizes, references
 * and derivers must agree.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEvaluator } from '@m/eval';
import { base16Encode } from '@m/nix-compat';
import { hashPath, openStore } from '@m/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreEvalIO, readStoreDerivation, realise } from '../src/index';
import { rmrf, tmpDir } from './helpers';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const casesFile = path.join(here, 'differential', 'cases.nix');
const summary = `builtins.mapAttrs (n: d: { drv = d.drvPath; outs = builtins.listToAttrs (map (o: { name = o; value = d.\${o}.outPath; }) (d.outputs or [ "out" ])); }) (import ${casesFile})`;
const NIX_BUILD_OPTS = ['--option', 'substituters', '', '--option', 'sandbox', 'true', '--option', 'sandbox-paths', '/bin/sh=/bin/busybox', '--option', 'cores', '1'];

/**
 * Known differences, not compared: m's bwrap sandbox has /dev/core -> /proc/kcore (bwrap --dev
 * creates it), Nix's sandbox does not.
 */
const KNOWN_DIFFERENT = new Set(['devNull']);

type Summary = Record<string, { drv: string; outs: Record<string, string> }>;
interface DbEntry {
  narHash: string;
  narSize: number;
  deriver: string;
  references: string[];
}

function parseDumpDb(text: string): Map<string, DbEntry> {
  const lines = text.split('\n');
  const m = new Map<string, DbEntry>();
  for (let i = 0; i + 4 < lines.length; ) {
    const p = lines[i]!;
    const n = Number(lines[i + 4]);
    m.set(p, { narHash: lines[i + 1]!, narSize: Number(lines[i + 2]), deriver: lines[i + 3]!, references: lines.slice(i + 5, i + 5 + n).sort() });
    i += 5 + n;
  }
  return m;
}

const work = tmpDir('diff');
let nixSummary: Summary;
let nixDb: Map<string, DbEntry>;

beforeAll(async () => {
  const opts = { maxBuffer: 1 << 24, encoding: 'utf8' as const };
  const [, ev] = await Promise.all([
    run('nix-build', [...NIX_BUILD_OPTS, '--max-jobs', '4', '--keep-going', '--no-out-link', casesFile], opts),
    run('nix-instantiate', ['--read-write-mode', '--eval', '--strict', '--json', '-E', summary], opts),
  ]);
  nixSummary = JSON.parse(ev.stdout);
  const outs = Object.values(nixSummary).flatMap((c) => Object.values(c.outs));
  nixDb = parseDumpDb((await run('nix-store', ['--dump-db', ...outs], opts)).stdout);
}, 300_000);
afterAll(() => rmrf(work));

describe('differential: m realise vs nix-build', () => {
  it('agrees with Nix 2.8 on ≥ 30 derivations', async () => {
    const store = openStore({ root: path.join(work, 'store') });
    const ev = createEvaluator({ io: createStoreEvalIO(store), nixPath: [], storeDir: '/nix/store' });
    const ours = JSON.parse(ev.toJSON(ev.evalString(summary, here, '«string»'), { strict: true })) as Summary;
    expect(Object.keys(ours).length).toBeGreaterThanOrEqual(30);
    expect(ours).toEqual(nixSummary);

    const drvs = Object.values(ours).map((c) => c.drv);
    const r = await realise(drvs, { store, jobs: 4, cores: 1 });
    expect(r.built.length).toBeGreaterThanOrEqual(30);

    const fixed = new Set(Object.values(ours).filter((c) => readStoreDerivation(store, c.drv).outputs.get('out')?.hash).map((c) => c.outs.out!));
    expect(fixed.size).toBe(4);
    const mismatches: string[] = [];
    for (const [name, c] of Object.entries(ours)) {
      if (KNOWN_DIFFERENT.has(name)) continue;
      for (const [o, p] of Object.entries(c.outs)) {
        const theirs = nixDb.get(p);
        const info = store.queryPathInfo(p)!;
        const mine: DbEntry = {
          narHash: base16Encode(hashPath(store.realPath(p)).hash.bytes),
          narSize: info.narSize,
          // A fixed output's deriver is whichever derivation produced it first (not comparable).
          deriver: fixed.has(p) ? theirs?.deriver ?? '' : info.deriver ?? '',
          references: store.references(p).sort(),
        };
        try {
          expect(mine).toEqual(theirs);
        } catch {
          mismatches.push(`${name}.${o} (${p}): m ${JSON.stringify(mine)} vs nix ${JSON.stringify(theirs)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(store.verify({ checkContents: true }).ok).toBe(true);
    store.close();
  });
});
