// Writes BENCHMARKS.md at the repository root from bench/results.json.
import { readFileSync, writeFileSync } from 'node:fs';
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
writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));
console.log('wrote BENCHMARKS.md');
