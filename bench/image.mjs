// Container images (issue 5): @m/image's buildImage on a synthetic ≥ 200 MiB closure
// (packages/image/bench/image-bench.mjs: 81 store paths, text-like data with incompressible runs),
// built fully with a cold layer cache and again after one small store path changed, side by side
// with `pigz -6 -p2` over the same uncompressed archive bytes in the same run.
// Targets (issue 11): full build throughput ≥ 1.0× pigz's; rebuild ≤ 0.1× the full build.
// CPU seconds include the build's child processes (libdeflate-gzip, zstd).
// Usage: node bench/image.mjs [--runs N] [--mib N]   (writes bench/image-results.json)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg('--runs', 3);
const mib = arg('--mib', 220);
const script = join(root, 'packages/image/bench/image-bench.mjs');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const load = () => round(loadavg()[0]);

const loadBefore = load();
const samples = [];
for (let k = 0; k < runs; k++) {
  const r = spawnSync(process.execPath, [script, '--json', '--zstd', '--mib', String(mib)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`image-bench failed (${r.status}): ${r.stderr}`);
  const s = JSON.parse(r.stdout.trim().split('\n').at(-1));
  if (!s.reproducible) throw new Error('image-bench: the warm rebuild was not byte-identical to the full build');
  samples.push({
    ...s,
    // Throughput relative to pigz = pigz's time / ours over the same bytes (> 1: faster than pigz).
    throughputVsPigz: round(s.pigz6p2S / s.fullBuildS),
    cpuEfficiencyVsPigz: round(s.pigz6p2CpuS / s.fullBuildCpuS),
    rebuildOverFull: round(s.oneLayerChangedS / s.fullBuildS, 3),
  });
  console.error(`run ${k + 1}/${runs}: full ${s.fullBuildS} s, pigz ${s.pigz6p2S} s, one layer changed ${s.oneLayerChangedS} s`);
}
const pick = (key) => median(samples.map((s) => s[key]));
const first = samples[0];
const report = {
  command: `node bench/image.mjs --runs ${runs} --mib ${mib}`,
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${availableParallelism()} × ${cpus()[0]?.model?.trim() ?? 'unknown'}`,
  pigz: (({ stdout, stderr }) => `${stdout}${stderr}`.trim() || 'pigz')(spawnSync('pigz', ['--version'], { encoding: 'utf8' })),
  loadAverage: { before: loadBefore, after: load() },
  cores: availableParallelism(),
  closureMiB: first.closureMiB,
  tarMiB: first.tarMiB,
  compressedMiB: first.compressedMiB,
  sizeOursOverPigz: first.sizeOursOverPigz,
  fullBuildS: pick('fullBuildS'),
  fullBuildCpuS: pick('fullBuildCpuS'),
  pigz6p2S: pick('pigz6p2S'),
  pigz6p2CpuS: pick('pigz6p2CpuS'),
  warmRebuildS: pick('warmRebuildS'),
  oneLayerChangedS: pick('oneLayerChangedS'),
  fullMiBps: round(first.tarMiB / pick('fullBuildS'), 1),
  pigzMiBps: round(first.tarMiB / pick('pigz6p2S'), 1),
  throughputVsPigz: pick('throughputVsPigz'),
  cpuEfficiencyVsPigz: pick('cpuEfficiencyVsPigz'),
  rebuildOverFull: pick('rebuildOverFull'),
  // compression = "zstd" (cold cache), next to the zstd tool at level 3 on 2 threads over the same bytes.
  zstd: {
    fullBuildS: pick('zstdFullBuildS'),
    fullBuildCpuS: pick('zstdFullBuildCpuS'),
    MiBps: round(first.tarMiB / pick('zstdFullBuildS'), 1),
    compressedMiB: first.zstdCompressedMiB,
    cliS: pick('zstd3T2S'),
  },
  targets: { throughputVsPigz: 1.0, rebuildOverFull: 0.1 },
  runs: samples,
};
writeFileSync(join(root, 'bench/image-results.json'), JSON.stringify(report, null, 2) + '\n');
const ok = (b) => (b ? 'meets target' : 'BELOW TARGET');
console.log(`image of a ${report.closureMiB} MiB closure (${report.tarMiB} MiB tar → ${report.compressedMiB} MiB), median of ${runs}:`);
console.log(`  full build        ${report.fullBuildS} s (${report.fullMiBps} MiB/s, ${report.fullBuildCpuS} CPU s)`);
console.log(`  pigz -6 -p2       ${report.pigz6p2S} s (${report.pigzMiBps} MiB/s, ${report.pigz6p2CpuS} CPU s)`);
console.log(`  throughput vs pigz ${report.throughputVsPigz}× (target ≥ 1.0×: ${ok(report.throughputVsPigz >= 1.0)}); CPU efficiency vs pigz ${report.cpuEfficiencyVsPigz}×`);
console.log(`  one layer changed ${report.oneLayerChangedS} s = ${report.rebuildOverFull}× the full build (target ≤ 0.1×: ${ok(report.rebuildOverFull <= 0.1)})`);
console.log(`  nothing changed   ${report.warmRebuildS} s`);
console.log(`  zstd full build   ${report.zstd.fullBuildS} s (${report.zstd.MiBps} MiB/s, ${report.zstd.compressedMiB} MiB); zstd -3 -T2 ${report.zstd.cliS} s`);
console.log(`  1-minute load average ${report.loadAverage.before} before, ${report.loadAverage.after} after`);
