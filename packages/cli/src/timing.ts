/**
 * Start-up phase timings for profiling `m` itself: with M_TIMING=1 each `mark` prints to stderr
 * the wall time since the process started and the CPU time all its threads have used so far.
 * Without M_TIMING=1 `mark` does nothing (and loads nothing).
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

const ORIGIN_VAR = 'M_TIMING_ORIGIN';

export const timingEnabled = process.env.M_TIMING === '1';

let thread: string | undefined;
let origin = 0;

/** Prints `label` with the elapsed wall and CPU time when M_TIMING=1. */
export function mark(label: string): void {
  if (!timingEnabled) return;
  if (thread === undefined) {
    const { isMainThread } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    thread = isMainThread ? 'main  ' : 'worker';
    // A worker's clock starts with the worker: it measures from the process start the main
    // thread recorded in the environment (which workers inherit) instead.
    origin = Number(process.env[ORIGIN_VAR]) || performance.timeOrigin;
    if (isMainThread) process.env[ORIGIN_VAR] = String(origin);
  }
  const wall = performance.timeOrigin + performance.now() - origin;
  const { user, system } = process.cpuUsage();
  const cpu = (user + system) / 1000;
  try {
    writeSync(2, `[m timing] ${wall.toFixed(1).padStart(7)} ms wall ${cpu.toFixed(0).padStart(5)} ms cpu  ${thread} ${label}\n`);
  } catch {
    // stderr closed: timings are best effort.
  }
}
