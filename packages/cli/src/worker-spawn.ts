/**
 * Starts the evaluation worker (dist/m-worker.cjs, see worker-loader.ts) for one job. Every command
 * that evaluates or touches the store runs there: the main thread stays light, and evaluation gets
 * a large stack (deeply recursive Nix code recurses deeply in the evaluator).
 */
import type { Worker } from 'node:worker_threads';
import { lazyWorkerThreads } from './lazy-builtins';
import { mark } from './timing';

/** Stack of the evaluation worker, in MB (V8 reserves it lazily). */
export const WORKER_STACK_MB = 1024;
/** Heap limit of the evaluation worker, in MB (large evaluations need more than V8's default). */
export const WORKER_HEAP_MB = 8192;
/**
 * Young generation of the evaluation worker, in MB (V8's default lets it grow to 48 MB). Measured
 * on the bench/drv.mjs and bench/run.mjs workloads (peak RSS, user+sys CPU): 4 MB takes 15-30 MB
 * less peak memory than the default at the same or less CPU time (most evaluation values live
 * long, so a large nursery mostly adds copying), 2 MB another 2-9 MB less at no measurable cost.
 */
export const WORKER_YOUNG_MB = 2;

export interface SpawnOptions {
  /** Give the worker the big stack and heap of an evaluation (default true). */
  evaluates?: boolean;
}

/** A worker running `job`; its stdout/stderr are the process's own (it writes the fds directly). */
export function spawnWorker(job: unknown, opts: SpawnOptions = {}): Worker {
  mark('spawn worker');
  const worker = new (lazyWorkerThreads().Worker)(new URL('./m-worker.cjs', import.meta.url), {
    workerData: job,
    ...(opts.evaluates === false ? {} : { resourceLimits: { stackSizeMb: WORKER_STACK_MB, maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } }),
    stdout: false,
    stderr: false,
  });
  worker.once('exit', () => mark('worker exited'));
  return worker;
}
