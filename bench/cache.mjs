// Substituting 200 store paths from a binary cache vs building them: `m build` of 200 small
// derivations in a fresh store (each build runs in the sandbox), `m copy --to` of the outputs into a
// file:// cache (xz, signed), then `m build` of the same expression in fresh stores that substitute
// from that cache (file://) and from `m serve` of the first store (HTTP, uncompressed), building
// nothing. Usage: node bench/cache.mjs [--paths N]   (writes bench/cache-results.json)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mBin = join(root, 'packages/cli/bin/m.js');
const i = process.argv.indexOf('--paths');
const n = i >= 0 ? Number(process.argv[i + 1]) : 200;
const work = mkdtempSync(join(tmpdir(), 'm-bench-cache-'));
const tag = `${Date.now()}`;
const expr = `builtins.genList (i: derivation { name = "p\${toString i}"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo bench-${tag} \${toString i} > $out" ]; }) ${n}`;

function m(args, input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [mBin, ...args], { cwd: work, input, encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`m ${args.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr}`);
  return { s: Math.round(s * 100) / 100, stdout: r.stdout, stderr: r.stderr };
}
const count = (stderr, re) => stderr.split('\n').filter((l) => re.test(l)).length;

const load = { before: loadavg()[0].toFixed(2) };
let serve;
try {
  const secret = m(['key', 'generate-secret', '--key-name', 'bench-1']).stdout;
  const secretFile = join(work, 'secret');
  writeFileSync(secretFile, secret);
  const pub = m(['key', 'convert-secret-to-public'], secret).stdout.trim();

  const build = m(['build', '--no-out-link', '-Q', '--store', join(work, 'A'), '-E', expr]);
  const outs = build.stdout.trim().split('\n');
  // The floor of every run below: evaluating and instantiating the expression, nothing to build.
  const noop = m(['build', '--no-out-link', '-Q', '--store', join(work, 'A'), '-E', expr]);
  const cache = join(work, 'cache');
  const copy = m(['copy', '--store', join(work, 'A'), '--to', `file://${cache}`, '--secret-key-file', secretFile, ...outs]);
  const fromFile = m(['build', '--no-out-link', '-Q', '--store', join(work, 'B'), '-E', expr, '--substituters', `file://${cache}`, '--trusted-public-keys', pub]);

  serve = spawn(process.execPath, [mBin, 'serve', '--store', join(work, 'A'), '--secret-key-file', secretFile], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve) => {
    let out = '';
    serve.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
  });
  const fromHttp = m(['build', '--no-out-link', '-Q', '--store', join(work, 'C'), '-E', expr, '--substituters', url, '--trusted-public-keys', pub]);
  load.after = loadavg()[0].toFixed(2);

  const report = {
    command: `node bench/cache.mjs --paths ${n}`,
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadAverage: load,
    paths: n,
    buildS: build.s,
    built: count(build.stderr, /^building '/),
    noopS: noop.s,
    copyToFileS: copy.s,
    substituteFileS: fromFile.s,
    substituteFileBuilt: count(fromFile.stderr, /^building '/),
    substituteFileCopied: count(fromFile.stderr, /^copying path '/),
    substituteHttpS: fromHttp.s,
    substituteHttpBuilt: count(fromHttp.stderr, /^building '/),
    substituteHttpCopied: count(fromHttp.stderr, /^copying path '/),
  };
  report.speedupFile = Math.round((report.buildS / report.substituteFileS) * 10) / 10;
  report.speedupHttp = Math.round((report.buildS / report.substituteHttpS) * 10) / 10;
  writeFileSync(join(root, 'bench/cache-results.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`build ${n} derivations                ${report.buildS} s (${report.built} built)`);
  console.log(`again, all valid (eval + instantiate) ${report.noopS} s`);
  console.log(`m copy --to file:// (xz, signed)      ${report.copyToFileS} s`);
  console.log(`substitute from file:// cache         ${report.substituteFileS} s (${report.substituteFileCopied} copied, ${report.substituteFileBuilt} built) = ${report.speedupFile}× faster`);
  console.log(`substitute from m serve (HTTP)        ${report.substituteHttpS} s (${report.substituteHttpCopied} copied, ${report.substituteHttpBuilt} built) = ${report.speedupHttp}× faster`);
} finally {
  serve?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
