/**
 * `m instantiate` evaluates on the main thread first: a worker thread costs ≈ 80-100 ms of CPU to
 * start (Node has no start-up snapshot for workers), more than most evaluations take. The main
 * thread's stack is V8's default (≈ 1 MB; it cannot be raised at run time), so an evaluation that
 * runs out of it gives up without printing an error, and the job runs again from the start in
 * the evaluation worker with its 1 GiB stack (worker-spawn.ts). Evaluation is deterministic and
 * store writes are content-addressed, so the rerun computes the same; what the first attempt
 * printed (traces, warnings, earlier results), the rerun skips (InstantiateJob.skipOutput), so
 * nothing is printed twice and errors are the worker's, as before.
 * M_EVAL_THREAD=worker skips the main-thread attempt.
 */
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { loadEvalBundle } from './bundle-loader';
import type { CommandContext } from './command';
import { countingOutput, type OutputCounts } from './output';
import type { InstantiateJob } from './run-instantiate';

/**
 * Runs `job` on this thread; resolves with its exit code, or with the counts of what it printed
 * when it ran out of stack (then nothing else was printed and the job must run in the worker).
 */
export async function instantiateOnMainThread(job: InstantiateJob, ctx: CommandContext): Promise<{ code: number } | { printed: OutputCounts }> {
  const printed: OutputCounts = { stdout: 0, stderr: 0 };
  // The worker's young generation is capped at 2 MB (worker-spawn.ts: less peak memory at the same
  // CPU); the main thread's size limits are fixed at start-up, but keeping its young generation at
  // its initial size (two 1 MB semi-spaces) has the same effect.
  setFlagsFromString('--semi-space-growth-factor=1');
  const { bundle, saveCache } = loadEvalBundle(nodePath.dirname(fileURLToPath(import.meta.url)), 'm-eval-bundle', 'main');
  const code = await bundle.attemptInstantiate!(job, countingOutput(ctx.out, printed));
  saveCache();
  return code === undefined ? { printed } : { code };
}

export function mainThreadEvalEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.M_EVAL_THREAD !== 'worker';
}
