// Issue 12's build rows, side by side with Nix 2.8 (alternating runs; wall time, CPU = user + system and
// peak resident memory from GNU time's %U, %S, %M), with the printed paths compared:
// - build-noop-200: `m build --no-out-link` of 200 derivations whose outputs are all valid, against
//   `nix-build --option substituters '' --no-out-link` of the same file (both built once before timing;
//   m into a private store, Nix into /nix/store, where the outputs stay for later runs);
// - instantiate-fresh-1000: `m instantiate` of 1000 derivations none of which is in the store yet (a new
//   tag per run, a new m store per run), against `nix-instantiate` (its .drv files are deleted afterwards).
// Target (issue 12): m ≤ 0.5× Nix's time. Usage: node bench/build-noop.mjs [--runs N] [--only NAME[,NAME…]]
// (writes bench/build-noop-results.json)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunner, median, round } from './measure.mjs';

const root = new URL('..', import.meta.url).pathname;
const mBin = join(root, 'packages/cli/bin/m.js');
const TIME = '/usr/bin/time';
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(opt('--runs') ?? 5);
const only = opt('--only')?.split(',');
const TARGETS = { time: 0.5 };

if (!existsSync(TIME)) {
  console.error(`bench/build-noop.mjs: ${TIME} (Debian package 'time') is needed to measure peak memory; run .ci/setup`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'm-bench-build-'));
const env = { ...process.env, NIX_PATH: '' };
delete env.NODE_EXTRA_CA_CERTS;
const NIX_BUILD = ['--option', 'substituters', '', '--no-out-link'];

/** n independent derivations whose builder writes one line (tagged, so a new tag means new paths). */
const genExpr = (n, what) =>
  `{ tag }: builtins.genList (i: derivation { name = "p\${toString i}"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo ${what}-\${tag} \${toString i} > $out" ]; }) ${n}\n`;
writeFileSync(join(work, 'noop.nix'), genExpr(200, 'noop'));
writeFileSync(join(work, 'fresh.nix'), genExpr(1000, 'fresh'));

const runOnce = createRunner({ work, env, timeoutMs: 900_000 });

const workloads = [
  {
    name: 'build-noop-200',
    description: '`m build` / `nix-build` of 200 derivations whose outputs are all valid (nothing to build)',
    setup() {
      // A fixed tag: Nix's outputs stay in /nix/store, so only a first bench run on a machine builds them.
      const tag = 'm-bench-noop-1';
      const mStore = join(work, 'noop-store');
      runOnce('nix-build', [...NIX_BUILD, 'noop.nix', '--argstr', 'tag', tag]);
      runOnce(process.execPath, [mBin, 'build', '-Q', '--store', mStore, '--no-out-link', 'noop.nix', '--argstr', 'tag', tag]);
      return () => ({
        nix: ['nix-build', [...NIX_BUILD, 'noop.nix', '--argstr', 'tag', tag]],
        m: [process.execPath, [mBin, 'build', '-Q', '--store', mStore, '--no-out-link', 'noop.nix', '--argstr', 'tag', tag]],
      });
    },
  },
  {
    name: 'instantiate-fresh-1000',
    description: '`m instantiate` / `nix-instantiate` of 1000 derivations not yet in the store (.drv files written)',
    setup() {
      const stamp = `${Date.now().toString(36)}`;
      return (k) => {
        const tag = `${stamp}-${k}`;
        const mStore = join(work, `fresh-store-${k}`);
        return {
          nix: ['nix-instantiate', ['fresh.nix', '--argstr', 'tag', tag]],
          m: [process.execPath, [mBin, 'instantiate', '--store', mStore, 'fresh.nix', '--argstr', 'tag', tag]],
        };
      };
    },
  },
];

const loadBefore = loadavg()[0];
const results = [];
const nixGarbage = [];
try {
  for (const w of workloads) {
    if (only && !only.includes(w.name)) continue;
    const commands = w.setup();
    const seen = { m: [], nix: [] };
    let same = true;
    for (let k = 0; k < runs; k++) {
      const c = commands(k);
      for (const t of ['nix', 'm']) seen[t].push(runOnce(...c[t]));
      same &&= seen.m[k].stdout === seen.nix[k].stdout && seen.m[k].stdout !== '';
      if (w.name === 'instantiate-fresh-1000') nixGarbage.push(...seen.nix[k].stdout.split('\n').filter((l) => l !== ''));
    }
    const summary = (xs) => ({
      medianMs: round(median(xs.map((x) => x.ms))),
      cpuS: round(median(xs.map((x) => x.cpuS)), 2),
      peakMB: round(median(xs.map((x) => x.kb)) / 1024),
      runsMs: xs.map((x) => round(x.ms)),
    });
    const m = summary(seen.m);
    const nix = summary(seen.nix);
    results.push({
      name: w.name,
      description: w.description,
      runs,
      m,
      nix,
      timeRatio: round(m.medianMs / nix.medianMs, 2),
      cpuRatio: round(m.cpuS / nix.cpuS, 2),
      memoryRatio: round(m.peakMB / nix.peakMB, 2),
      samePaths: same,
    });
    console.error(`${w.name}: m ${m.medianMs} ms (${m.cpuS} s CPU) ${m.peakMB} MB, nix ${nix.medianMs} ms (${nix.cpuS} s CPU) ${nix.peakMB} MB, same paths: ${same}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  // The fresh .drv files Nix wrote are garbage (no roots): delete them so runs do not fill /nix/store.
  if (nixGarbage.length > 0) spawnSync('nix-store', ['--delete', ...nixGarbage], { stdio: 'ignore' });
}

const report = {
  command: `node bench/build-noop.mjs${args.length ? ' ' + args.join(' ') : ''}`,
  date: new Date().toISOString(),
  node: process.version,
  nix: spawnSync('nix-build', ['--version'], { encoding: 'utf8' }).stdout.trim(),
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
  targets: TARGETS,
  workloads: results,
};
writeFileSync(join(root, 'bench/build-noop-results.json'), JSON.stringify(report, null, 2) + '\n');
for (const r of results) {
  const ok = r.timeRatio <= TARGETS.time && r.samePaths;
  console.log(`${r.name.padEnd(23)} time ${String(r.timeRatio).padStart(5)}×  CPU ${String(r.cpuRatio).padStart(5)}×  memory ${String(r.memoryRatio).padStart(5)}×  same paths ${r.samePaths ? 'yes' : 'NO'}  ${ok ? 'meets the target' : 'below the target'}`);
}
if (results.some((r) => !r.samePaths)) process.exitCode = 1;
