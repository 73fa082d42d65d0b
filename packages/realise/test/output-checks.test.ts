/**
 * Differential test of Nix 2.8's output checks: every derivation of differential/output-checks.nix
 * is built on its own by real `nix-build` and by m's realise (evaluated by m into a fresh store).
 * Both must agree on the .drv path, on success or failure, and on the error message; a failed
 * check registers nothing in m's store.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { MError } from '@m/core';
import { createEvaluator } from '@m/eval';
import { openStore } from '@m/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreEvalIO, outputPaths, readStoreDerivation, realise } from '../src/index';
import { rmrf, tmpDir } from './helpers';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const casesFile = path.join(here, 'differential', 'output-checks.nix');
const drvPathsExpr = `builtins.mapAttrs (n: d: d.drvPath) (import ${casesFile})`;
const NIX_BUILD_OPTS = ['--option', 'substituters', '', '--option', 'sandbox', 'true', '--option', 'sandbox-paths', '/bin/sh=/bin/busybox', '--option', 'cores', '1', '--no-out-link'];

interface Outcome {
  ok: boolean;
  /** The error message without `error: ` and Nix's continuation-line indent. */
  message?: string;
}

/** The last `error: …` of nix-build's stderr, in the form m's MError message has. */
function nixError(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  let start = lines.length - 1;
  while (start > 0 && !lines[start]!.startsWith('error: ')) start--;
  const [first, ...rest] = lines.slice(start);
  return [first!.slice('error: '.length), ...rest.map((l) => l.replace(/^ {7}/, ''))].join('\n');
}

async function nixBuild(attr: string): Promise<Outcome> {
  try {
    await run('nix-build', [...NIX_BUILD_OPTS, casesFile, '-A', attr], { encoding: 'utf8', maxBuffer: 1 << 24 });
    return { ok: true };
  } catch (e) {
    return { ok: false, message: nixError((e as { stderr: string }).stderr) };
  }
}

/** Runs `fn` over `items`, two at a time (the machines have 2 cores). */
async function pool<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

const work = tmpDir('output-checks');
let nixDrvs: Record<string, string>;
const nixOutcomes = new Map<string, Outcome>();

beforeAll(async () => {
  nixDrvs = JSON.parse((await run('nix-instantiate', ['--eval', '--strict', '--json', '-E', drvPathsExpr], { encoding: 'utf8' })).stdout);
  const names = Object.keys(nixDrvs);
  const outcomes = await pool(names, nixBuild);
  names.forEach((n, i) => nixOutcomes.set(n, outcomes[i]!));
}, 300_000);
afterAll(() => rmrf(work));

describe('differential: output checks vs nix-build', () => {
  it('agrees with Nix 2.8 on success, failure and message for every case', async () => {
    const store = openStore({ root: path.join(work, 'store') });
    const ev = createEvaluator({ io: createStoreEvalIO(store), nixPath: [], storeDir: '/nix/store' });
    const ours = JSON.parse(ev.toJSON(ev.evalString(drvPathsExpr, here, '«string»'), { strict: true })) as Record<string, string>;
    expect(ours).toEqual(nixDrvs);
    expect(Object.keys(ours).length).toBeGreaterThanOrEqual(25);

    const mine = new Map<string, Outcome>();
    for (const [name, drv] of Object.entries(ours)) {
      try {
        await realise([drv], { store, jobs: 1, cores: 1 });
        mine.set(name, { ok: true });
      } catch (e) {
        const err = e as MError;
        mine.set(name, { ok: false, message: err.message });
        expect(err.code, name).toBe('BUILD_FAILED');
        // Nothing of a rejected build is registered.
        for (const p of Object.values(outputPaths(drv, readStoreDerivation(store, drv)))) expect(store.isValid(p), `${name}: ${p}`).toBe(false);
      }
    }
    expect(Object.fromEntries(mine)).toEqual(Object.fromEntries(nixOutcomes));
    // Both kinds of outcome are exercised.
    expect([...mine.values()].filter((o) => o.ok).length).toBeGreaterThanOrEqual(8);
    expect([...mine.values()].filter((o) => !o.ok).length).toBeGreaterThanOrEqual(15);
    store.close();
  }, 120_000);
});
