// `m . /hello` of this repository: the first (cold) run, then warm runs — which evaluate and build
// nothing (eval cache) — side by side with `node -e 0`, Node's own start-up. Target: warm ≤ 150 ms.
// Usage: node bench/makes-hello.mjs [--runs N]   (writes bench/makes-results.json)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mBin = join(root, 'packages/cli/bin/m.js');
const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 15;
const work = mkdtempSync(join(tmpdir(), 'm-bench-makes-'));
const env = { ...process.env, M_STORE: join(work, 'store') };

function time(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return Math.round(ms * 10) / 10;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const cold = time(process.execPath, [mBin, '.', '/hello']);
  const warm = [];
  const node = [];
  for (let k = 0; k < runs; k++) {
    warm.push(time(process.execPath, [mBin, '.', '/hello']));
    node.push(time(process.execPath, ['-e', '0']));
  }
  const report = {
    command: `node bench/makes-hello.mjs --runs ${runs}`,
    date: new Date().toISOString(),
    node: process.version,
    coldMs: cold,
    warm: { medianMs: median(warm), runsMs: warm },
    nodeStartup: { medianMs: median(node), runsMs: node },
    overheadMs: Math.round((median(warm) - median(node)) * 10) / 10,
    targetMs: 150,
  };
  writeFileSync(join(root, 'bench/makes-results.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`m . /hello   cold ${cold} ms (imports bash and coreutils, builds 7 derivations)`);
  console.log(`m . /hello   warm ${report.warm.medianMs} ms median of ${runs} (nothing evaluated or built; target ≤ 150 ms)`);
  console.log(`node -e 0         ${report.nodeStartup.medianMs} ms median of ${runs}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
