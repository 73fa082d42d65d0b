// Runs every workload with m and with real nix-instantiate side by side (several runs each,
// median wall time), prints a table and writes bench/results.json.
// Usage: node bench/run.mjs [--runs N] [--only NAME[,NAME…]]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareWorkloads } from './workloads.mjs';

const root = new URL('..', import.meta.url).pathname;
const mBin = join(root, 'packages/cli/bin/m.js');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const defaultRuns = Number(opt('--runs') ?? 5);
const only = opt('--only')?.split(',');
const TIMEOUT_MS = 300_000;

const work = mkdtempSync(join(tmpdir(), 'm-bench-'));
const env = { ...process.env, M_STORE: join(work, 'store'), NIX_PATH: '' };

function runOnce(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: work, env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: TIMEOUT_MS });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const error = r.error ? String(r.error.message) : r.status !== 0 ? (r.stderr.split('\n').find((l) => l.trim())?.replace(/^error: /, '') ?? `exit ${r.status}`) : undefined;
  return { ms, stdout: r.stdout ?? '', error };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs tools alternately `n` times each (so both see the same machine load); a tool stops at its first failure. */
function measureSideBySide(tools, n) {
  const state = tools.map(() => ({ times: [], stdout: undefined, error: undefined }));
  for (let i = 0; i < n; i++) {
    tools.forEach(([cmd, argv], k) => {
      const st = state[k];
      if (st.error) return;
      const r = runOnce(cmd, argv);
      if (r.error) st.error = r.error;
      else {
        st.times.push(Math.round(r.ms * 10) / 10);
        st.stdout = r.stdout;
      }
    });
  }
  return state.map((st) => (st.error ? { error: st.error, runsMs: st.times } : { medianMs: Math.round(median(st.times) * 10) / 10, runsMs: st.times, stdout: st.stdout }));
}

const loadBefore = loadavg()[0];
const nixVersion = spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' }).stdout.trim();
const results = [];
for (const w of prepareWorkloads(work)) {
  if (only && !only.includes(w.name)) continue;
  const n = w.runs ?? defaultRuns;
  const [nix, m] = measureSideBySide([['nix-instantiate', w.args], [process.execPath, [mBin, 'instantiate', ...w.args]]], n);
  const ratio = m.medianMs !== undefined && nix.medianMs !== undefined ? Math.round((m.medianMs / nix.medianMs) * 100) / 100 : null;
  const sameOutput = m.stdout !== undefined && nix.stdout !== undefined ? m.stdout === nix.stdout : null;
  results.push({
    name: w.name,
    description: w.description,
    args: w.args.map((a) => a.replace(work, '$WORK')),
    runs: n,
    m: { medianMs: m.medianMs ?? null, runsMs: m.runsMs, error: m.error ?? null },
    nix: { medianMs: nix.medianMs ?? null, runsMs: nix.runsMs, error: nix.error ?? null },
    ratio,
    sameOutput,
  });
  const last = results.at(-1);
  process.stderr.write(`${w.name}: m ${last.m.medianMs ?? 'ERROR'} ms, nix ${last.nix.medianMs ?? 'ERROR'} ms\n`);
}

const report = {
  command: `node bench/run.mjs${args.length ? ' ' + args.join(' ') : ''}`,
  date: new Date().toISOString(),
  node: process.version,
  nix: nixVersion,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0] * 100) / 100 },
  workloads: results,
};
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(report, null, 2) + '\n');

const rows = results.map((r) => [
  r.name,
  r.m.medianMs === null ? `error: ${r.m.error}` : String(r.m.medianMs),
  r.nix.medianMs === null ? `error: ${r.nix.error}` : String(r.nix.medianMs),
  r.ratio === null ? '-' : `${r.ratio}×`,
  r.sameOutput === null ? '-' : r.sameOutput ? 'yes' : 'NO',
]);
const header = ['workload', 'm ms', 'nix ms', 'ratio', 'same output'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i].length, 60))));
const line = (cells) => cells.map((c, i) => (c.length > 60 ? c.slice(0, 57) + '...' : c).padEnd(widths[i])).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
console.log(`\nmedian of ${defaultRuns} runs (startup: 10); results in bench/results.json`);
