/**
 * The bundle of `m instantiate` (dist/m-eval-bundle.cjs, loaded by bundle-loader.ts): the parser
 * and evaluator without the store, builder, image and makes code of the worker's full bundle
 * (worker.ts), so that the main thread reads and compiles half as much. Runs the job on the main
 * thread first (attemptInstantiate), and in the worker when that ran out of stack (runWorkerJob).
 */
import { runJob } from './job-run';
import type { Output } from './output';
import { runInstantiate, type InstantiateJob } from './run-instantiate';
import { mark } from './timing';

/**
 * `m instantiate` on the calling (main) thread, whose stack is V8's default (≈ 1 MB): resolves
 * with the exit code, or with undefined when the evaluation ran out of stack, having printed no
 * error (what it printed before, `out` has seen; the worker's run skips that much: `skipOutput`).
 */
export async function attemptInstantiate(job: InstantiateJob, out: Output): Promise<number | undefined> {
  mark('job start (main thread)');
  try {
    const code = await runInstantiate(job, out, { stackExhausted: 'give-up' });
    return code === 'stack-exhausted' ? undefined : code;
  } finally {
    mark('job done (main thread)');
  }
}

export function runWorkerJob(job: InstantiateJob): Promise<number> {
  return runJob(job, async (out) => {
    const code = await runInstantiate(job, out, {});
    return code === 'stack-exhausted' ? 1 : code;
  });
}
