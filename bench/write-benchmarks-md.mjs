// Writes BENCHMARKS.md at the repository root from bench/results.json (and bench/image-results.json when present).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const r = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8'));
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ms = (t) => (t.medianMs === null ? `error: ${cell(t.error)}` : String(t.medianMs));
const lines = [
  '# Benchmarks',
  '',
  `\`m instantiate\` against real \`nix-instantiate\` on the same workloads, run side by side by \`${r.command}\``,
  `(\`pnpm bench\` builds first), on ${r.date.slice(0, 10)}: ${r.cpu}, Node ${r.node}, ${r.nix}.`,
  ...(r.loadAverage ? [`1-minute load average ${r.loadAverage.before} before and ${r.loadAverage.after} after the run (other work shared the machine when it was high; compare ratios rather than absolute times).`] : []),
  'Times are wall-clock medians in milliseconds over several runs of the whole process; ratio = m / nix.',
  'Regenerate this file with `node bench/write-benchmarks-md.mjs` after a `pnpm bench`.',
  '',
  '| workload | what | m ms | nix ms | ratio | same output |',
  '|---|---|---:|---:|---:|---|',
  ...r.workloads.map((w) =>
    `| ${w.name} | ${cell(w.description)} | ${ms(w.m)} | ${ms(w.nix)} | ${w.ratio === null ? '-' : w.ratio + '×'} | ${w.sameOutput === null ? '-' : w.sameOutput ? 'yes' : 'no'} |`),
  '',
];
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
    'Throughput relative to pigz = pigz wall time / full-build wall time (> 1 is faster); CPU efficiency = pigz CPU seconds / full-build CPU seconds.',
    `Figures are medians over ${im.runs.length} run(s). When the load average is well above the core count, both tools get a small, fluctuating share of the CPU and the wall-time ratio measures the scheduler as much as the code; the CPU-efficiency ratio is the steadier figure then.`,
    '',
    '| measure | value | target |',
    '|---|---:|---|',
    `| full build (cold cache) | ${im.fullBuildS} s, ${im.fullMiBps} MiB/s, ${im.fullBuildCpuS} CPU s | |`,
    `| pigz -6 -p2, same bytes | ${im.pigz6p2S} s, ${im.pigzMiBps} MiB/s, ${im.pigz6p2CpuS} CPU s | |`,
    `| full build throughput relative to pigz | ${im.throughputVsPigz}× | ≥ ${im.targets.throughputVsPigz}×: ${meets(im.throughputVsPigz >= im.targets.throughputVsPigz)} |`,
    `| full build CPU efficiency relative to pigz | ${im.cpuEfficiencyVsPigz}× | |`,
    `| rebuild after one small layer changed | ${im.oneLayerChangedS} s = ${im.rebuildOverFull}× the full build | ≤ ${im.targets.rebuildOverFull}×: ${meets(im.rebuildOverFull <= im.targets.rebuildOverFull)} |`,
    `| rebuild with nothing changed | ${im.warmRebuildS} s | |`,
    '',
  );
}
writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));
console.log('wrote BENCHMARKS.md');
