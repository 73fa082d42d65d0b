#!/usr/bin/env node
// Benchmark of @m/image's buildImage on a synthetic ≥ 200 MiB closure:
//   full build (cold cache), warm rebuild (nothing changed), rebuild after one small store path
//   changed, next to `pigz -6 -p2` over the same uncompressed archive bytes.
//   With --zstd: also a full build with compression = "zstd" (cold cache), next to `zstd -3 -T2`.
// Usage: node packages/image/bench/image-bench.mjs [--mib N] [--json] [--zstd]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const totalMiB = Number(args[args.indexOf('--mib') + 1] ?? 0) || 220;
const asJson = args.includes('--json');
const withZstd = args.includes('--zstd');

const work = mkdtempSync(join(tmpdir(), 'm-image-bench-'));
const bundle = join(work, 'image.mjs');
await build({
  entryPoints: [join(here, '../src/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: bundle,
  logLevel: 'silent',
});
const { buildImage } = await import(pathToFileURL(bundle).href);

// Deterministic pseudo-random data: xorshift32.
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
const WORDS = 'the of and to in is that for it as with was on be by this are from or at which an have not but all were can their one more has would other also into been its may some these two such when than only new used over use first time any each how most many after where those what about through between both same under data file library value system function return error build store path layer image container'.split(' ');

/** Text-like content (compresses ~3:1 like binaries and docs do) mixed with incompressible runs. */
function writeContent(file, bytes, seed) {
  const rnd = prng(seed);
  const fd = openSync(file, 'w');
  const block = Buffer.allocUnsafe(1 << 20);
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, block.length);
    let i = 0;
    while (i < n) {
      if (rnd() % 64 === 0) {
        const run = Math.min(n - i, 32 + (rnd() % 128));
        for (let k = 0; k < run; k++) block[i++] = rnd() & 0xff;
      } else {
        const w = WORDS[rnd() % WORDS.length];
        for (let k = 0; k < w.length && i < n; k++) block[i++] = w.charCodeAt(k);
        if (i < n) block[i++] = rnd() % 11 === 0 ? 10 : 32;
      }
    }
    writeSync(fd, block, 0, n);
    left -= n;
  }
  closeSync(fd);
}

const STORE_DIR = '/nix/store';
const B32 = '0123456789abcdfghijklmnpqrsvwxyz';
const fakePath = (name, salt = '') => {
  const h = createHash('sha256').update(`${salt}:${name}`).digest();
  let s = '';
  for (let i = 0; i < 32; i++) s += B32[h[i] % 32];
  return `${STORE_DIR}/${s}-${name}`;
};
const baseOf = (p) => p.slice(STORE_DIR.length + 1);

// The closure: 80 store paths; a few big ones (like glibc, python), many small ones.
const physicalStore = join(work, 'store');
mkdirSync(physicalStore);
const N = 80;
const weights = Array.from({ length: N }, (_, i) => (i % 10 === 0 ? 40 : i % 3 === 0 ? 6 : 1));
const wsum = weights.reduce((a, b) => a + b, 0);
const paths = Array.from({ length: N }, (_, i) => fakePath(`pkg-${String(i).padStart(2, '0')}`));
const graph = new Map();
let totalBytes = 0;
paths.forEach((p, i) => {
  const refs = [0, 1, Math.floor(i / 2), i - 1].filter((j) => j >= 0 && j < i).map((j) => paths[j]);
  graph.set(p, [...new Set(refs)]);
  const size = Math.floor((weights[i] / wsum) * totalMiB * (1 << 20));
  const d = join(physicalStore, baseOf(p));
  mkdirSync(join(d, 'lib'), { recursive: true });
  mkdirSync(join(d, 'share/doc'), { recursive: true });
  const files = Math.max(1, Math.min(20, Math.floor(size / (256 << 10))));
  for (let f = 0; f < files; f++) writeContent(join(d, f % 4 === 0 ? 'share/doc' : 'lib', `file-${f}`), Math.floor(size / files), i * 1000 + f + 1);
  writeFileSync(join(d, 'lib/small-config'), `package ${i}\n`);
  totalBytes += size;
});
const top = fakePath('app');
mkdirSync(join(physicalStore, baseOf(top), 'bin'), { recursive: true });
writeFileSync(join(physicalStore, baseOf(top), 'bin/app'), '#!/bin/sh\necho app\n');
graph.set(top, paths.slice(-5));

const cacheDir = join(work, 'cache');
// CPU seconds of this process's threads plus those of its waited-for children (libdeflate-gzip,
// zstd): /proc/self/stat's cutime and cstime, in clock ticks (100 per second on Linux).
const childCpu = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
};
const time = async (fn) => {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  const cc = childCpu();
  const r = await fn();
  const cpu = process.cpuUsage(c);
  return { r, s: Number(process.hrtime.bigint() - t) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 + childCpu() - cc };
};
const run = (roots, g, out) => buildImage({ roots, graph: g, physicalStore, out, cacheDir, config: { Cmd: [`${top}/bin/app`] } });

const full = await time(() => run([top], graph, join(work, 'full.tar.gz')));
const warm = await time(() => run([top], graph, join(work, 'warm.tar.gz')));

// One small store path changes (a new version of the app): new store path, new contents.
const top2 = fakePath('app', 'v2');
mkdirSync(join(physicalStore, baseOf(top2), 'bin'), { recursive: true });
writeFileSync(join(physicalStore, baseOf(top2), 'bin/app'), '#!/bin/sh\necho app v2\n');
const graph2 = new Map(graph);
graph2.set(top2, graph.get(top));
const rebuild = await time(() =>
  buildImage({ roots: [top2], graph: graph2, physicalStore, out: join(work, 'rebuild.tar.gz'), cacheDir, config: { Cmd: [`${top2}/bin/app`] } }),
);

// pigz over the same uncompressed bytes.
const tar = join(work, 'full.tar');
execFileSync('sh', ['-c', `gunzip -c '${join(work, 'full.tar.gz')}' > '${tar}'`]);
const pigzOut = join(work, 'pigz.tar.gz');
// bash's `time` reports pigz's own CPU seconds (user + system) next to the wall time.
const pigz = await time(() =>
  execFileSync('bash', ['-c', `TIMEFORMAT='%U %S'; { time pigz -6 -p2 -c '${tar}' > '${pigzOut}'; } 2>&1`], { encoding: 'utf8' }),
);
const pigzCpu = pigz.r.trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0);

let zstdResult = {};
if (withZstd) {
  const out = join(work, 'full.tar.zst');
  const z = await time(() => buildImage({ roots: [top], graph, physicalStore, out, cacheDir, compression: 'zstd', config: { Cmd: [`${top}/bin/app`] } }));
  const same = execFileSync('sh', ['-c', `zstd -q -dc '${out}' | cmp - '${tar}' && echo same`], { encoding: 'utf8' }).trim() === 'same';
  const cli = await time(() => execFileSync('zstd', ['-q', '-3', '-T2', '-f', '-o', join(work, 'cli.tar.zst'), tar]));
  zstdResult = {
    zstdFullBuildS: +z.s.toFixed(2),
    zstdFullBuildCpuS: +z.cpu.toFixed(2),
    zstdMiBps: +(statSync(tar).size / 2 ** 20 / z.s).toFixed(1),
    zstdCompressedMiB: +(statSync(out).size / 2 ** 20).toFixed(1),
    zstd3T2S: +cli.s.toFixed(2),
    zstdSameTar: same,
  };
}

const tarSize = statSync(tar).size;
const ours = statSync(join(work, 'full.tar.gz')).size;
const theirs = statSync(pigzOut).size;
const result = {
  closureMiB: +(totalBytes / 2 ** 20).toFixed(1),
  tarMiB: +(tarSize / 2 ** 20).toFixed(1),
  cores: availableParallelism(),
  fullBuildS: +full.s.toFixed(2),
  fullBuildCpuS: +full.cpu.toFixed(2),
  warmRebuildS: +warm.s.toFixed(2),
  oneLayerChangedS: +rebuild.s.toFixed(2),
  pigz6p2S: +pigz.s.toFixed(2),
  pigz6p2CpuS: +pigzCpu.toFixed(2),
  fullOverPigzCpu: +(full.cpu / pigzCpu).toFixed(2),
  fullOverPigz: +(full.s / pigz.s).toFixed(2),
  warmOverPigz: +(warm.s / pigz.s).toFixed(2),
  changedOverPigz: +(rebuild.s / pigz.s).toFixed(2),
  sizeOursOverPigz: +(ours / theirs).toFixed(4),
  compressedMiB: +(ours / 2 ** 20).toFixed(1),
  reproducible: readFileSync(join(work, 'full.tar.gz')).equals(readFileSync(join(work, 'warm.tar.gz'))),
  ...zstdResult,
};
if (asJson) console.log(JSON.stringify(result));
else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(20)} ${v}`);
rmSync(work, { recursive: true, force: true });
