// Derivations with large environment strings: `m instantiate` and `nix-instantiate` side by side
// (alternating runs), wall time, CPU time and peak resident memory (GNU time's %U+%S and %M, i.e.
// the child's rusage), with the printed drvPaths compared. Targets: m ≤ 1.0× Nix's time, ≤ 1.5× its memory.
// Usage: node bench/drv.mjs [--runs N] [--only NAME[,NAME…]]   (writes bench/drv-results.json)
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
const TARGETS = { time: 1.0, memory: 1.5 };

if (!existsSync(TIME)) {
  console.error(`bench/drv.mjs: ${TIME} (Debian package 'time') is needed to measure peak memory; run .ci/setup`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'm-bench-drv-'));
// NODE_EXTRA_CA_CERTS (set on some machines for the npm registry) makes every Node process parse the
// certificate bundle before any script runs (≈ 80 ms CPU); nothing here makes TLS requests.
const env = { ...process.env, M_STORE: join(work, 'store'), NIX_PATH: '' };
delete env.NODE_EXTRA_CA_CERTS;

/** ≈ 1.38 MB of base64-like lines, the same on every run (a deterministic generator). */
function sharedText() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let seed = 12345;
  const lines = [];
  for (let l = 0; l < 18_130; l++) {
    let line = '';
    for (let k = 0; k < 75; k++) line += alphabet[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 63];
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

const bigEnv = (n) =>
  `(derivation { name = "p"; builder = "/bin/sh"; system = "x86_64-linux"; script = builtins.concatStringsSep "" (builtins.genList (i: "abcdefghijklmnopqrstuvwxyz0123456789\\n") (${n} * 29127)); }).drvPath`;

/**
 * A synthetic stand-in for nixpkgs' nodePackages (no nixpkgs checkout here): 100 packages whose
 * .drv files are ≈ 280 KB each, like the large nodePackages ones. Each has 200 fixed-output
 * sources (builtin:fetchurl, 2000 in all) interpolated into a `dependencies` script with a
 * 1.2 KB block per source, a package.json of 150 dependencies, and the 3 packages before it as
 * inputs; written to the store (no --eval), as nix-instantiate of a package set does.
 */
function nodePackagesLike() {
  let chunk = '';
  let x = 7;
  while (chunk.length < 1200) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    chunk += `npm install --production ${x % 100000} && echo done $out/lib/node_modules/x${x} \\\n`;
  }
  writeFileSync(join(work, 'chunk.txt'), chunk);
  writeFileSync(
    join(work, 'node-packages.nix'),
    `let
  chunk = builtins.readFile ./chunk.txt;
  srcs = builtins.genList (j: derivation {
    name = "src-\${toString j}.tgz"; builder = "builtin:fetchurl"; system = "builtin";
    url = "http://127.0.0.1/pkg-\${toString j}.tgz";
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = builtins.hashString "sha256" "src \${toString j}";
  }) 2000;
  pick = n: let m = builtins.bitAnd n 2047; in if m >= 2000 then m - 48 else m;
  pkg = i: derivation {
    name = "node-pkg-\${toString i}"; builder = "/bin/sh"; system = "x86_64-linux";
    args = [ "-c" "eval \\"$buildPhase\\"" ];
    deps = builtins.genList (k: if i > k then builtins.elemAt pkgs (i - k - 1) else null) 3;
    dependencies = builtins.concatStringsSep "\n" (builtins.genList (k:
      let s = builtins.elemAt srcs (pick (i * 37 + k * 11)); in
      "addDependency \\"\${s.name}\\" \${s} <<'EOF'\\n\${chunk}EOF") 200);
    packageJSON = builtins.toJSON {
      name = "node-pkg-\${toString i}"; version = "1.0.\${toString i}";
      dependencies = builtins.listToAttrs (builtins.genList (k: { name = "dep-\${toString k}"; value = "^\${toString k}.0.0"; }) 150);
    };
  };
  pkgs = builtins.genList pkg 100;
in pkgs
`,
  );
}

function workloads() {
  nodePackagesLike();
  writeFileSync(join(work, 'shared.txt'), sharedText());
  writeFileSync(
    join(work, 'shared.nix'),
    `let s = builtins.readFile ./shared.txt; in
builtins.concatStringsSep "\\n" (builtins.genList (i: (derivation { name = "p\${toString i}"; builder = "/bin/sh"; system = "x86_64-linux"; script = s; i = i; }).drvPath) 100)
`,
  );
  return [
    { name: 'drv-env-1mb', description: 'drvPath of a derivation with a 1 MB env string (genList + concatStringsSep)', args: ['--eval', '-E', bigEnv(1)] },
    { name: 'drv-env-4mb', description: 'the same with a 4 MB env string', args: ['--eval', '-E', bigEnv(4)] },
    { name: 'drv-env-16mb', description: 'the same with a 16 MB env string', args: ['--eval', '-E', bigEnv(16)] },
    { name: 'drv-shared-100', description: '100 derivations sharing a 1.38 MB readFile string (all drvPaths)', args: ['--eval', join(work, 'shared.nix')] },
    {
      name: 'drv-nodepkgs-like',
      description: 'synthetic nodePackages: 100 derivations of ≈ 280 KB .drv, 200 fixed-output inputs each, .drv files written',
      args: [join(work, 'node-packages.nix')],
    },
  ];
}

const runOnce = createRunner({ work, env, timeoutMs: 600_000 });

const loadBefore = loadavg()[0];
const results = [];
try {
  for (const w of workloads()) {
    if (only && !only.includes(w.name)) continue;
    const tools = { m: [process.execPath, [mBin, 'instantiate', ...w.args]], nix: ['nix-instantiate', w.args] };
    const seen = { m: [], nix: [] };
    for (let k = 0; k < runs; k++) for (const t of ['nix', 'm']) seen[t].push(runOnce(...tools[t]));
    const summary = (xs) => ({
      medianMs: round(median(xs.map((x) => x.ms))),
      cpuS: round(median(xs.map((x) => x.cpuS)), 2),
      peakMB: round(median(xs.map((x) => x.kb)) / 1024),
      runsMs: xs.map((x) => round(x.ms)),
    });
    const m = summary(seen.m);
    const nix = summary(seen.nix);
    const sameDrvPaths = seen.m.every((x) => x.stdout === seen.nix[0].stdout) && seen.nix.every((x) => x.stdout === seen.nix[0].stdout);
    const row = {
      name: w.name,
      description: w.description,
      args: w.args.map((a) => a.replace(work, '$WORK')),
      runs,
      m,
      nix,
      timeRatio: round(m.medianMs / nix.medianMs, 2),
      cpuRatio: round(m.cpuS / nix.cpuS, 2),
      memoryRatio: round(m.peakMB / nix.peakMB, 2),
      sameDrvPaths,
    };
    results.push(row);
    console.error(`${w.name}: m ${m.medianMs} ms (${m.cpuS} s CPU) ${m.peakMB} MB, nix ${nix.medianMs} ms (${nix.cpuS} s CPU) ${nix.peakMB} MB, same drvPaths: ${sameDrvPaths}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const report = {
  command: `node bench/drv.mjs${args.length ? ' ' + args.join(' ') : ''}`,
  date: new Date().toISOString(),
  node: process.version,
  nix: spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' }).stdout.trim(),
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
  targets: TARGETS,
  workloads: results,
};
writeFileSync(join(root, 'bench/drv-results.json'), JSON.stringify(report, null, 2) + '\n');
for (const r of results) {
  const ok = r.timeRatio <= TARGETS.time && r.memoryRatio <= TARGETS.memory && r.sameDrvPaths;
  console.log(`${r.name.padEnd(15)} time ${String(r.timeRatio).padStart(5)}×  CPU ${String(r.cpuRatio).padStart(5)}×  memory ${String(r.memoryRatio).padStart(5)}×  same drvPaths ${r.sameDrvPaths ? 'yes' : 'NO'}  ${ok ? 'meets the targets' : 'below a target'}`);
}
if (results.some((r) => !r.sameDrvPaths)) process.exitCode = 1;
