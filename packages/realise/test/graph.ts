/** A layered graph of small derivations for the multi-process tests, and the worker runner. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { Store } from '@m/store';
import { makeDrvWriter } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Writes 4 layers (leaves, two middle layers, tops) of `perLayer` derivations; each node above the
 * leaves depends on two nodes of the layer below and copies their contents. Returns all drv paths
 * and the tops.
 */
export function writeLayeredGraph(store: Store, perLayer: number, tag: string): { all: string[]; tops: string[] } {
  const writeDrv = makeDrvWriter(store);
  const all: string[] = [];
  let below: string[] = [];
  for (let layer = 0; layer < 4; layer++) {
    const cur: string[] = [];
    for (let i = 0; i < perLayer; i++) {
      const name = `${tag}-l${layer}-${i}`;
      if (layer === 0) {
        cur.push(writeDrv({ name, script: `sleep 0.1; echo ${name} > $out` }));
        continue;
      }
      const a = below[i]!;
      const b = below[(i + 1) % perLayer]!;
      const aOut = store.derivationOutputs(a).get('out')!;
      const bOut = store.derivationOutputs(b).get('out')!;
      cur.push(
        writeDrv({
          name,
          script: `mkdir $out; cp ${aOut} $out/a 2>/dev/null || cp -r ${aOut} $out/a; cp -r ${bOut} $out/b; echo ${name} > $out/name`,
          inputs: a === b ? { [a]: ['out'] } : { [a]: ['out'], [b]: ['out'] },
        }),
      );
    }
    all.push(...cur);
    below = cur;
  }
  return { all, tops: below };
}

let workerFile: string | undefined;

/** Bundles worker.ts for plain node; better-sqlite3 stays external and resolves from @m/store's node_modules. */
export function workerScript(): string {
  if (workerFile) return workerFile;
  const outDir = path.join(here, '..', '..', 'store', 'node_modules', '.cache', 'm-realise-test');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `worker-${process.pid}.mjs`);
  buildSync({
    entryPoints: [path.join(here, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    outfile,
    logLevel: 'error',
  });
  workerFile = outfile;
  return outfile;
}

/** Deletes this process's worker bundle. */
export function removeWorkerScript(): void {
  if (workerFile) fs.rmSync(workerFile, { force: true });
  workerFile = undefined;
}

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runWorker(job: { root: string; drvs: string[]; jobs: number }, killAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [workerScript(), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
