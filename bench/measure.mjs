// Whole-process measurement shared by bench/drv.mjs and bench/build-noop.mjs: one run of a command
// under GNU time (wall ms, peak RSS in KB, user + system CPU seconds, stdout), and the statistics
// of a row. A failed run throws with the command's stderr.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

export function createRunner({ work, env, timeoutMs }) {
  const memFile = join(work, 'maxrss');
  return function runOnce(cmd, argv) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(TIME, ['-f', '%M %U %S', '-o', memFile, cmd, ...argv], { cwd: work, env, encoding: 'utf8', maxBuffer: 1 << 28, timeout: timeoutMs });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error || r.status !== 0) throw new Error(`${cmd} ${argv.join(' ').slice(0, 120)} failed: ${r.error?.message ?? r.stderr}`);
    const [kb, user, sys] = readFileSync(memFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    return { ms, kb, cpuS: user + sys, stdout: r.stdout };
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
