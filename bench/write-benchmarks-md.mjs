// Writes BENCHMARKS.md at the repository root from bench/results.json (and bench/image-results.json and
// bench/makes-results.json when present).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const r = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8'));
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ms = (t) => (t.medianMs === null ? `error: ${cell(t.error)}` : String(t.medianMs));
const x = (v) => (v === null || v === undefined ? '-' : `${v}×`);
/** A ratio against its goal (bold when it misses). */
const goal = (v, g) => (v === null || v === undefined ? '-' : v <= g ? `${v}×` : `**${v}×**`);
/** Rows over real nixpkgs code: a section of their own (measured on their own dates, see bench/nixpkgs-notes.md). */
const isNixpkgsRow = (w) => w.name.startsWith('nixpkgs-');
const evalRow = (w) =>
  `| ${w.name} | ${cell(w.description)} | ${ms(w.m)} | ${ms(w.nix)} | ${goal(w.ratio, w.goal ?? 1)} | ${w.m.cpuMs ?? '-'} | ${w.nix.cpuMs ?? '-'} | ${goal(w.cpuRatio, w.goal ?? 1)} | ${w.m.peakMB ?? '-'} | ${w.nix.peakMB ?? '-'} | ${x(w.memoryRatio)} | ${w.sameOutput === null ? '-' : w.sameOutput ? 'yes' : 'no'} |`;
/** The section of the nixpkgs rows: their table, then the prose of bench/nixpkgs-notes.md. */
function nixpkgsSection() {
  const rows = r.workloads.filter(isNixpkgsRow);
  const notes = join(root, 'bench/nixpkgs-notes.md');
  const prose = existsSync(notes) ? [readFileSync(notes, 'utf8').trimEnd()] : [];
  if (rows.length === 0) {
    return ['nixpkgs rows: **skipped** in this run — set M_BENCH_NIXPKGS to a nixpkgs checkout, or a copy of its lib/, that Nix 2.8 evaluates.'];
  }
  const times = rows.map((w) => w.date ?? r.date).sort();
  const [first, last] = [times[0], times.at(-1)];
  const when = `${first.slice(0, 10)}, ${first.slice(11, 16)}${last.slice(11, 16) === first.slice(11, 16) ? '' : `-${last.slice(11, 16)}`} UTC`;
  const loads = rows.map((w) => w.loadAverage).filter((l) => l !== undefined);
  return [
    '## Real nixpkgs code',
    '',
    `Rows over the nixpkgs at \`M_BENCH_NIXPKGS\` (${r.nixpkgs ?? 'unknown'}), measured on ${when}` +
      (loads.length ? `, 1-minute load average ${Math.min(...loads)}-${Math.max(...loads)}` : '') +
      `; medians of ${[...new Set(rows.map((w) => w.runs))].join('/')} alternating runs; columns as above.`,
    '',
    '| workload | what | m ms | nix ms | ratio | m CPU ms | nix CPU ms | CPU ratio | m peak MB | nix peak MB | memory ratio | same output |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(evalRow),
    '',
    ...prose,
  ];
}
const lines = [
  '# Benchmarks',
  '',
  `\`m instantiate\` against real \`nix-instantiate\` on the same workloads, run side by side by \`${r.command}\``,
  `(\`pnpm bench\` builds first), on ${r.date.slice(0, 10)}: ${r.cpu}, Node ${r.node}, ${r.nix}.`,
  ...(r.loadAverage ? [`1-minute load average ${r.loadAverage.before} before and ${r.loadAverage.after} after the run${r.loadAverage.before > 2 ? ': the machine was shared with other engineers\' builds and tests, so absolute times are several times an idle machine\'s; compare the ratios, and the CPU ratio (user + system time, GNU time) is the steadier one' : ''}.`] : []),
  'Times are medians over several alternating runs of the whole process (startup: 10, others: 5): wall-clock ms, CPU = user + system, peak = peak resident set size; ratio = m / nix.',
  'Goal (issue 12): every ratio ≤ 1.0×, start-up ≤ 2.0×; a ratio in bold misses its goal. Both run without NODE_EXTRA_CA_CERTS (see below).',
  'Regenerate this file with `node bench/write-benchmarks-md.mjs` after a `pnpm bench`.',
  '',
  '| workload | what | m ms | nix ms | ratio | m CPU ms | nix CPU ms | CPU ratio | m peak MB | nix peak MB | memory ratio | same output |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...r.workloads.filter((w) => !isNixpkgsRow(w)).map(evalRow),
  '',
  ...(r.nodeFloor
    ? [`The floor of any Node program's start-up, \`node -e 0\`, measured in the same alternation as the startup row: ${r.nodeFloor.medianMs} ms wall, ${r.nodeFloor.cpuMs} ms CPU, ${Math.round(r.nodeFloor.peakMB * 10) / 10} MB peak (${x(Math.round((r.nodeFloor.medianMs / r.workloads.find((w) => w.name === 'startup')?.nix.medianMs) * 100) / 100)} Nix's \`--eval -E 1\`).`, '']
    : []),
  ...nixpkgsSection(),
  '',
];
const drvResults = join(root, 'bench/drv-results.json');
if (existsSync(drvResults)) {
  const d = JSON.parse(readFileSync(drvResults, 'utf8'));
  const verdict = (x, target) => (x <= target ? `${x}×` : `**${x}×**`);
  lines.push(
    '## Derivations with large environment strings',
    '',
    `\`${d.command}\` (part of \`pnpm bench\`) on ${d.date.slice(0, 10)}: ${d.cpu}, Node ${d.node}, ${d.nix}; 1-minute load average ${d.loadAverage.before} before and ${d.loadAverage.after} after.`,
    '`m instantiate` and `nix-instantiate` run alternately on the same expression (`--eval`, so neither writes the .drv, except drv-nodepkgs-like: m writes its .drv files into a store of its own, Nix into /nix/store); times are wall-clock medians of whole processes,',
    'CPU the median user + system seconds and memory the median peak resident set size (GNU time `%U`, `%S`, `%M`; CPU time is the steadier figure on a loaded machine). Both print the drvPath(s), checked equal.',
    'Both run without NODE_EXTRA_CA_CERTS (set on some machines for the npm registry; it makes every Node process parse a certificate bundle before any script runs, ≈ 80 ms CPU).',
    `Targets: m ≤ ${d.targets.time}× Nix's time and ≤ ${d.targets.memory}× its peak memory; a ratio in bold misses its target.`,
    '',
    '| workload | what | m ms | nix ms | time ratio | m CPU s | nix CPU s | CPU ratio | m peak MB | nix peak MB | memory ratio | same drvPaths |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...d.workloads.map((w) =>
      `| ${w.name} | ${cell(w.description)} | ${w.m.medianMs} | ${w.nix.medianMs} | ${verdict(w.timeRatio, d.targets.time)} | ${w.m.cpuS ?? '-'} | ${w.nix.cpuS ?? '-'} | ${w.cpuRatio ?? '-'}${w.cpuRatio === undefined ? '' : '×'} | ${w.m.peakMB} | ${w.nix.peakMB} | ${verdict(w.memoryRatio, d.targets.memory)} | ${w.sameDrvPaths ? 'yes' : 'no'} |`),
    '',
  );
  // The analysis of these rows is prose kept next to the script, not generated.
  if (existsSync(join(root, 'bench/drv-notes.md'))) lines.push(readFileSync(join(root, 'bench/drv-notes.md'), 'utf8').trimEnd(), '');
}
const buildResults = join(root, 'bench/build-noop-results.json');
if (existsSync(buildResults)) {
  const b = JSON.parse(readFileSync(buildResults, 'utf8'));
  const verdict = (x, target) => (x <= target ? `${x}×` : `**${x}×**`);
  lines.push(
    '## No-op builds and fresh instantiation',
    '',
    `\`${b.command}\` (part of \`pnpm bench\`) on ${b.date.slice(0, 10)}: ${b.cpu}, Node ${b.node}, ${b.nix}; 1-minute load average ${b.loadAverage.before} before and ${b.loadAverage.after} after.`,
    "`build-noop-200`: `m build --no-out-link` (private store) and `nix-build --option substituters '' --no-out-link` (/nix/store) of 200 derivations built once before timing, so both only evaluate, find the .drv files and outputs valid and print the output paths.",
    '`instantiate-fresh-1000`: `m instantiate` (a new private store per run) and `nix-instantiate` (/nix/store) of 1000 derivations with a new tag per run, so every .drv file is written. Both print the same paths (checked).',
    `Medians of alternating runs of whole processes, CPU = user + system (GNU time). Target (issue 12): m ≤ ${b.targets.time}× Nix's time; a ratio in bold misses it.`,
    '',
    '| workload | what | m ms | nix ms | time ratio | m CPU s | nix CPU s | CPU ratio | m peak MB | nix peak MB | memory ratio | same paths |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...b.workloads.map((w) =>
      `| ${w.name} | ${cell(w.description)} | ${w.m.medianMs} | ${w.nix.medianMs} | ${verdict(w.timeRatio, b.targets.time)} | ${w.m.cpuS} | ${w.nix.cpuS} | ${w.cpuRatio}× | ${w.m.peakMB} | ${w.nix.peakMB} | ${w.memoryRatio}× | ${w.samePaths ? 'yes' : 'no'} |`),
    '',
  );
  if (existsSync(join(root, 'bench/build-noop-notes.md'))) lines.push(readFileSync(join(root, 'bench/build-noop-notes.md'), 'utf8').trimEnd(), '');
}
const imageResults = join(root, 'bench/image-results.json');
if (existsSync(imageResults)) {
  const im = JSON.parse(readFileSync(imageResults, 'utf8'));
  const meets = (ok) => (ok ? 'meets the target' : '**below the target**');
  lines.push(
    '## Container images (makeContainerImage)',
    '',
    `\`${im.command}\` on ${im.date.slice(0, 10)}: ${im.cpu}, Node ${im.node}, ${im.pigz}; 1-minute load average ${im.loadAverage.before} before and ${im.loadAverage.after} after.`,
    `@m/image's buildImage on a synthetic ${im.closureMiB} MiB closure of 81 store paths (${im.tarMiB} MiB uncompressed archive, ${im.compressedMiB} MiB compressed, ${im.sizeOursOverPigz}× pigz's size),`,
    'built with a cold layer cache, then again after one small store path changed, side by side with `pigz -6 -p2` over the same uncompressed bytes in the same run.',
    "The gzip members of 256 KiB and more are compressed by Debian's `libdeflate-gzip` at level 6 (one long-lived shell per worker thread runs it on 8 MiB pieces), smaller ones by zlib level 6 in the worker threads, two at a time on 2 cores.",
    "libdeflate's level 6 needs well under half of zlib's CPU time; its output is about 2% larger than zlib's on this synthetic text-with-random-runs data and about 1.4% smaller on real shared libraries (64 MiB of /usr/lib/x86_64-linux-gnu/lib[a-m]*.so*, 2026-12-06: libdeflate-gzip -6 26,888,935 bytes vs pigz -6 27,266,246).",
    'Throughput relative to pigz = pigz wall time / full-build wall time (> 1 is faster); CPU efficiency = pigz CPU seconds / full-build CPU seconds (the build\'s CPU seconds include its child processes).',
    `Figures are medians over ${im.runs.length} run(s)${im.loadAverage.before > (im.cores ?? 2) ? `, measured under load: the 1-minute load average was ${im.loadAverage.before} on ${im.cores ?? 2} cores (other engineers' builds and tests), so every tool got a fluctuating share of the CPU and absolute times are longer than on an idle machine` : ''}. When the load average is well above the core count, the wall-time ratio measures the scheduler as much as the code; the CPU-efficiency ratio is the steadier figure then.`,
    `Per run (full build s / pigz s): ${im.runs.map((x) => `${x.fullBuildS}/${x.pigz6p2S}`).join(', ')}.`,
    '',
    '| measure | value | target |',
    '|---|---:|---|',
    `| full build (cold cache) | ${im.fullBuildS} s, ${im.fullMiBps} MiB/s, ${im.fullBuildCpuS} CPU s | |`,
    `| pigz -6 -p2, same bytes | ${im.pigz6p2S} s, ${im.pigzMiBps} MiB/s, ${im.pigz6p2CpuS} CPU s | |`,
    `| full build throughput relative to pigz | ${im.throughputVsPigz}× | ≥ ${im.targets.throughputVsPigz}×: ${meets(im.throughputVsPigz >= im.targets.throughputVsPigz)} |`,
    `| full build CPU efficiency relative to pigz | ${im.cpuEfficiencyVsPigz}× | |`,
    `| rebuild after one small layer changed | ${im.oneLayerChangedS} s = ${im.rebuildOverFull}× the full build | ≤ ${im.targets.rebuildOverFull}×: ${meets(im.rebuildOverFull <= im.targets.rebuildOverFull)} |`,
    `| rebuild with nothing changed | ${im.warmRebuildS} s | |`,
    ...(im.zstd
      ? [`| full build with compression = "zstd" (cold cache) | ${im.zstd.fullBuildS} s, ${im.zstd.MiBps} MiB/s, ${im.zstd.compressedMiB} MiB; \`zstd -3 -T2\` over the same bytes: ${im.zstd.cliS} s | |`]
      : []),
    '',
  );
}
const makesResults = join(root, 'bench/makes-results.json');
if (existsSync(makesResults)) {
  const mk = JSON.parse(readFileSync(makesResults, 'utf8'));
  lines.push(
    '## `m . /hello` (makes runner, cached)',
    '',
    `\`${mk.command}\` on ${mk.date.slice(0, 10)}, Node ${mk.node}: the first run imports bash and coreutils from the host and builds; later runs evaluate and build nothing (evaluation cache) and only run the script in its namespace.`,
    '',
    '| measure | ms |',
    '|---|---:|',
    `| first run (cold store) | ${mk.coldMs} |`,
    `| second and later runs, median | ${mk.warm.medianMs} (target ≤ ${mk.targetMs}) |`,
    `| \`node -e 0\`, median | ${mk.nodeStartup.medianMs} |`,
    `| m's own overhead over node start-up | ${mk.overheadMs} |`,
    '',
  );
}
const cacheResults = join(root, 'bench/cache-results.json');
if (existsSync(cacheResults)) {
  const c = JSON.parse(readFileSync(cacheResults, 'utf8'));
  lines.push(
    '## Binary cache: substituting vs building',
    '',
    `\`${c.command}\` on ${c.date.slice(0, 10)}: ${c.cpu}, Node ${c.node}; 1-minute load average ${c.loadAverage.before} before and ${c.loadAverage.after} after.`,
    `\`m build\` of ${c.paths} small derivations (one sandboxed build each) in a fresh store, then the same \`m build\` in fresh stores that substitute every output from a binary cache and build nothing.`,
    '',
    '| measure | s |',
    '|---|---:|',
    `| build ${c.paths} derivations (${c.built} built) | ${c.buildS} |`,
    `| the same again, all outputs valid (evaluation and instantiation only: the floor of every row) | ${c.noopS} |`,
    `| \`m copy --to file://\` of the ${c.paths} outputs (xz, signed) | ${c.copyToFileS} |`,
    `| substitute from the file:// cache (${c.substituteFileCopied} copied, ${c.substituteFileBuilt} built) | ${c.substituteFileS} (${c.speedupFile}× faster than building) |`,
    `| substitute from \`m serve\` over HTTP (${c.substituteHttpCopied} copied, ${c.substituteHttpBuilt} built) | ${c.substituteHttpS} (${c.speedupHttp}× faster than building) |`,
    '',
  );
}
lines.push(
  '## Where m is slower than Nix, why, and what would close the gap',
  '',
  'Profiles (`node --cpu-prof`, which also profiles the worker thread; `M_TIMING=1`) on 2026-12-06, machine under load:',
  '',
  '- **Start-up dominates the small rows.** `m instantiate --eval -E 1` now evaluates on the main thread',
  '  (the 1 GiB-stack worker only reruns a job whose evaluation overflowed V8\'s ≈ 1 MB main-thread stack,',
  '  `main-thread-eval.ts`) and spends, in CPU (`M_TIMING=1`, medians of 15 runs at load 5): Node\'s own',
  '  start ≈ 60 ms (the `node -e 0` floor), loading dist/m.js ≈ 15 ms, reading and compiling',
  '  dist/m-eval-bundle.cjs from its V8 code cache ≈ 25 ms (657 KB of source, ≈ 540 KB of cache; V8',
  '  deserialises all of it), its top level ≈ 3 ms, the job ≈ 17 ms (initialising the evaluator\'s',
  '  modules, chevrotain\'s token definitions among them, creating the evaluator, parsing and evaluating',
  '  `1`). Nix starts in ≈ 50 ms. Done this round: no worker thread (−80-100 ms), a bundle of its own for',
  '  `m instantiate` (−14 ms), only @m/realise\'s fetchers instead of its index, which loaded the store,',
  '  SQLite and the image builder (−20 ms), node-tar initialised on first use (−15 ms), CommonJS entry',
  '  and main bundle (no ES module loader), node:stream loaded only for archive downloads. Before that:',
  '  the main-thread bundle no longer pulls in the evaluator, chevrotain and tar through the substitution',
  '  flags (dist/m.js 557 KB → 62 KB; −170 ms CPU per run measured side by side under load), and',
  '  node:fs/path/os/process are re-exported once instead of copied at each of ~120 import sites (−30 ms).',
  '  `NODE_EXTRA_CA_CERTS`, set on these machines for the npm registry, adds ≈ 80 ms CPU to every Node',
  '  process; the bench unsets it. What is left above the floor is mostly V8 deserialising the code cache',
  '  and Node loading m\'s own code; a V8 start-up snapshot would need `node --snapshot-blob` on the',
  '  command line (not settable from inside a running process, and a re-exec costs a second Node start).',
  '  Deep recursion pays a wasted main-thread attempt (≈ 30-90 ms CPU: the evaluator\'s start-up, then the',
  '  overflow) before the worker\'s run. The 2× CPU goal stays out of reach while `node -e 0` alone is',
  '  1.2-1.4× Nix\'s whole run.',
  '- **Parsing** (`parse-500k`): ≈ 40 % of the time is V8 compiling chevrotain\'s generic parser code and',
  '  ≈ 10 % garbage collection; a specialised parser would close most of it.',
  '- **JSON** (`json-20k`): before this round the profile was ≈ 30 % garbage collection, ≈ 28 % toJSON',
  '  and ≈ 35 % fromJSON\'s byte-wise lexer and intermediate objects. fromJSON now reads the JS string',
  '  straight into sets/lists/ints (json-fast.ts; anything unusual falls back to the full parser), and',
  '  toJSON writes one growing string: in-process (warm), the fromJSON part went from ≈ 400 ms to ≈ 130 ms of CPU',
  '  and toJSON from ≈ 260 to ≈ 180 ms. What remains is building the 20k records (one Map per set).',
  '- **Young generation.** The worker\'s young generation is capped at 2 MB (for peak memory, see the',
  '  derivation rows). Whole processes with 16 MB instead (7 alternating runs each, load 6–8):',
  '  `deep-recursion-50k` 1.68 → 1.15 s CPU (every scavenge walks the whole deep stack), but',
  '  `genlist-foldl-100k`, `json-20k` and `module-fixpoint` 10–30 % more CPU and 10–20 MB more peak',
  '  memory; the small young generation stays.',
  '- **Evaluation**: `fib-30` and `attrs-update-10k` beat Nix. `module-fixpoint`, `sort-50k` and',
  '  `strings-interp` spend their time in `evalExpr`\'s switch, thunk allocation and Map-based sets:',
  '  compiling the AST to closures and specialising the desugared `__sub`/`__lessThan`/`+` calls are the',
  '  next steps. A fresh process also pays V8\'s JIT: `genlist-foldl-100k` evaluates in ≈ 150 ms of CPU',
  '  once the evaluator is compiled (repeated in one process) but takes 350–500 ms in a fresh one',
  '  (compiler threads included), so fewer, smaller hot functions matter as much as fewer allocations.',
  '',
);
writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));
console.log('wrote BENCHMARKS.md');
