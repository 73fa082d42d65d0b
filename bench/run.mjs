// Runs every workload with m and with real nix-instantiate side by side (several runs each,
// alternating; median wall time, CPU time = user + system and peak resident memory from GNU time),
// prints a table and writes bench/results.json. Also measures `node -e 0`, the floor of m's start-up.
// nixpkgs rows need a nixpkgs checkout that Nix 2.8 evaluates: M_BENCH_NIXPKGS=/path/to/nixpkgs; its lib rows
// need only `lib/` (see nixpkgsWorkloads in workloads.mjs), -A hello / -A firefox the whole tree.
// With --only, the rows measured replace theirs in bench/results.json and the others are kept; a run without
// M_BENCH_NIXPKGS keeps the nixpkgs rows of the previous results.json (with their own dates).
// Usage: node bench/run.mjs [--runs N] [--only NAME[,NAME…]]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// NODE_EXTRA_CA_CERTS (set on some machines for the npm registry) makes every Node process parse a
// certificate bundle before any script runs (≈ 80 ms CPU): a cost of the machine, not of m.
delete env.NODE_EXTRA_CA_CERTS;

const TIME = '/usr/bin/time';
const timeFile = join(work, 'time.out');

function runOnce(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...argv], { cwd: work, env, encoding: 'utf8', maxBuffer: 1 << 30, timeout: TIMEOUT_MS });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const error = r.error ? String(r.error.message) : r.status !== 0 ? (r.stderr.split('\n').find((l) => l.trim())?.replace(/^error: /, '') ?? `exit ${r.status}`) : undefined;
  let cpuMs, peakMB;
  try {
    const [kb, u, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    cpuMs = Math.round((u + sys) * 1000);
    peakMB = Math.round(kb / 102.4) / 10;
  } catch {}
  rmSync(timeFile, { force: true });
  return { ms, cpuMs, peakMB, stdout: r.stdout ?? '', error };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs tools alternately `n` times each (so both see the same machine load); a tool stops at its first failure. */
function measureSideBySide(tools, n) {
  const state = tools.map(() => ({ times: [], cpu: [], mem: [], stdout: undefined, error: undefined }));
  for (let i = 0; i < n; i++) {
    tools.forEach(([cmd, argv], k) => {
      const st = state[k];
      if (st.error) return;
      const r = runOnce(cmd, argv);
      if (r.error) st.error = r.error;
      else {
        st.times.push(Math.round(r.ms * 10) / 10);
        if (r.cpuMs !== undefined) st.cpu.push(r.cpuMs);
        if (r.peakMB !== undefined) st.mem.push(r.peakMB);
        st.stdout = r.stdout;
      }
    });
  }
  return state.map((st) =>
    st.error
      ? { error: st.error, runsMs: st.times }
      : {
          medianMs: Math.round(median(st.times) * 10) / 10,
          cpuMs: st.cpu.length ? median(st.cpu) : undefined,
          peakMB: st.mem.length ? median(st.mem) : undefined,
          runsMs: st.times,
          stdout: st.stdout,
        },
  );
}

const ratio = (a, b) => (a !== undefined && b !== undefined && b > 0 ? Math.round((a / b) * 100) / 100 : null);

const loadBefore = loadavg()[0];
const nixVersion = spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' }).stdout.trim();
const results = [];
const nixpkgs = process.env.M_BENCH_NIXPKGS;
if (!nixpkgs) process.stderr.write('nixpkgs rows: skipped (set M_BENCH_NIXPKGS to a nixpkgs checkout, or a copy of its lib/, that Nix 2.8 evaluates)\n');
let floor;
for (const w of prepareWorkloads(work, { nixpkgs })) {
  if (only && !only.includes(w.name)) continue;
  const n = w.runs ?? defaultRuns;
  const tools = [['nix-instantiate', w.args], [process.execPath, [mBin, 'instantiate', ...w.args]]];
  // The start-up row also runs `node -e 0`: no Node program starts faster than that.
  if (w.name === 'startup') tools.push([process.execPath, ['-e', '0']]);
  const [nix, m, node] = measureSideBySide(tools, n);
  if (node) floor = { medianMs: node.medianMs ?? null, cpuMs: node.cpuMs ?? null, peakMB: node.peakMB ?? null };
  const sameOutput = m.stdout !== undefined && nix.stdout !== undefined ? m.stdout === nix.stdout : null;
  results.push({
    name: w.name,
    description: w.description,
    args: w.args.map((a) => a.replace(work, '$WORK')),
    runs: n,
    m: { medianMs: m.medianMs ?? null, cpuMs: m.cpuMs ?? null, peakMB: m.peakMB ?? null, runsMs: m.runsMs, error: m.error ?? null },
    nix: { medianMs: nix.medianMs ?? null, cpuMs: nix.cpuMs ?? null, peakMB: nix.peakMB ?? null, runsMs: nix.runsMs, error: nix.error ?? null },
    ratio: ratio(m.medianMs, nix.medianMs),
    cpuRatio: ratio(m.cpuMs, nix.cpuMs),
    memoryRatio: ratio(m.peakMB, nix.peakMB),
    goal: w.goal ?? 1.0,
    sameOutput,
    date: new Date().toISOString(),
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  });
  const last = results.at(-1);
  process.stderr.write(`${w.name}: m ${last.m.medianMs ?? 'ERROR'} ms (${last.m.cpuMs ?? '-'} CPU), nix ${last.nix.medianMs ?? 'ERROR'} ms (${last.nix.cpuMs ?? '-'} CPU)\n`);
}

const resultsFile = join(root, 'bench/results.json');
/** The previous results.json, if any. */
function previousResults() {
  try {
    return JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    return undefined;
  }
}
const previous = previousResults();
/** With --only: the previous report, whose rows this run's replace. */
const prev = only ? previous : undefined;
/**
 * This run's rows; with --only also the previous rows it did not measure, in their order. A full
 * run without M_BENCH_NIXPKGS keeps the previous nixpkgs rows (each carries its date and load).
 */
function mergedRows() {
  if (!prev) {
    const kept = nixpkgs ? [] : (previous?.workloads ?? []).filter((r) => r.name.startsWith('nixpkgs-'));
    return [...results, ...kept];
  }
  const fresh = new Map(results.map((r) => [r.name, r]));
  const rows = prev.workloads.map((r) => fresh.get(r.name) ?? r);
  for (const r of results) if (!prev.workloads.some((p) => p.name === r.name)) rows.push(r);
  if (!floor && prev.nodeFloor) floor = prev.nodeFloor;
  return rows;
}
const allRows = mergedRows();

const thisRun = {
  command: `node bench/run.mjs${args.length ? ' ' + args.join(' ') : ''}`,
  date: new Date().toISOString(),
  loadAverage: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0] * 100) / 100 },
};
// command/date/loadAverage describe the last full run; later --only runs are listed in `updates`
// (each row also carries its own date and load).
const report = {
  ...(prev ? { command: prev.command, date: prev.date, loadAverage: prev.loadAverage } : thisRun),
  node: process.version,
  nix: nixVersion,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  nodeFloor: floor ?? null,
  nixpkgs: nixpkgs ?? (allRows.some((r) => r.name.startsWith('nixpkgs-')) ? previous?.nixpkgs ?? null : null),
  ...(prev ? { updates: [...(prev.updates ?? []), { ...thisRun, rows: results.map((r) => r.name) }].slice(-20) } : {}),
  workloads: allRows,
};
writeFileSync(resultsFile, JSON.stringify(report, null, 2) + '\n');

const rows = results.map((r) => [
  r.name,
  r.m.medianMs === null ? `error: ${r.m.error}` : String(r.m.medianMs),
  r.nix.medianMs === null ? `error: ${r.nix.error}` : String(r.nix.medianMs),
  r.ratio === null ? '-' : `${r.ratio}×`,
  r.cpuRatio === null ? '-' : `${r.cpuRatio}×`,
  r.sameOutput === null ? '-' : r.sameOutput ? 'yes' : 'NO',
]);
const header = ['workload', 'm ms', 'nix ms', 'ratio', 'CPU ratio', 'same output'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i].length, 60))));
const line = (cells) => cells.map((c, i) => (c.length > 60 ? c.slice(0, 57) + '...' : c).padEnd(widths[i])).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
if (floor) console.log(`\nnode -e 0: ${floor.medianMs} ms (${floor.cpuMs} ms CPU), the floor of m's start-up`);
console.log(`median of ${defaultRuns} runs (startup: 10); results in bench/results.json`);
