// Evaluator performance vs real Nix, in CPU time (user+sys, from /usr/bin/time), robust on a
// loaded machine. Bundles perf/runner.ts with esbuild, runs each workload of bench/workloads.mjs
// (plus `startup` through the CLI bundle when it is built) with m and nix-instantiate alternately,
// and reports the minimum CPU time of N runs and the ratio m/nix. Also checks identical stdout.
// Usage: node packages/eval/perf/run.mjs [--runs N] [--only a,b] [--baseline old-runner.mjs]
// (--baseline: a runner bundle built from an older tree, timed too, for before/after figures)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { prepareWorkloads } from '../../../bench/workloads.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../../..');
const argv = process.argv.slice(2);
const opt = (n) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
const runs = Number(opt('--runs') ?? 3);
const only = opt('--only')?.split(',');
const baseline = opt('--baseline');

const work = mkdtempSync(join(tmpdir(), 'm-perf-'));
const runner = join(work, 'runner.mjs');
await build({
  entryPoints: [join(here, 'runner.ts')],
  outfile: runner,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

function timed(cmd, args) {
  const tf = join(work, 'time.out');
  const r = spawnSync('/usr/bin/time', ['-o', tf, '-f', '%U %S %e', cmd, ...args], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, NIX_PATH: '', M_STORE: join(work, 'store') },
  });
  const [u, s, e] = readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const evalCpu = /eval-cpu-ms ([\d.]+)/.exec(r.stderr ?? '')?.[1];
  return { cpu: (u + s) * 1000, wall: e * 1000, evalCpu: evalCpu ? Number(evalCpu) : undefined, stdout: r.stdout, ok: r.status === 0, stderr: r.stderr };
}

const mCli = join(root, 'packages/cli/bin/m.js');
const workloads = prepareWorkloads(work).filter((w) => !w.args.includes('--parse'));
const rows = [];
for (const w of workloads) {
  if (only && !only.includes(w.name)) continue;
  const mCmd = w.name === 'startup' ? [process.execPath, [mCli, 'instantiate', ...w.args]] : [process.execPath, [runner, ...w.args]];
  if (w.name === 'startup' && !existsSync(join(root, 'packages/cli/dist/m-worker.js'))) continue;
  let best = { m: Infinity, mEval: Infinity, nix: Infinity, base: Infinity };
  let same = true;
  let err = '';
  for (let i = 0; i < runs; i++) {
    const n = timed('nix-instantiate', w.args);
    const m = timed(...mCmd);
    if (baseline && w.name !== 'startup') best.base = Math.min(best.base, timed(process.execPath, [baseline, ...w.args]).cpu);
    if (!m.ok) err = m.stderr.trim().split('\n')[0];
    if (m.stdout !== n.stdout) same = false;
    best = { ...best, m: Math.min(best.m, m.cpu), mEval: Math.min(best.mEval, m.evalCpu ?? Infinity), nix: Math.min(best.nix, n.cpu) };
  }
  const row = { name: w.name, mCpuMs: best.m, mEvalCpuMs: best.mEval === Infinity ? null : best.mEval, nixCpuMs: best.nix, ratio: +(best.m / Math.max(best.nix, 1)).toFixed(2), same, err };
  rows.push(row);
  const before = best.base === Infinity ? '' : `  (before: ${Math.round(best.base)} ms, ${(best.base / Math.max(best.nix, 1)).toFixed(2)}×)`;
  console.log(`${w.name.padEnd(20)} m ${String(Math.round(row.mCpuMs)).padStart(6)} ms cpu (eval ${row.mEvalCpuMs ?? '-'})  nix ${String(Math.round(row.nixCpuMs)).padStart(6)} ms cpu  ratio ${row.ratio}×  ${same ? 'same output' : 'OUTPUT DIFFERS'}${before} ${err}`);
}
