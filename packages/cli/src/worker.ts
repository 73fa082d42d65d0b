/**
 * The evaluation bundle (dist/m-worker-bundle.cjs, loaded by bundle-loader.ts): runs one job and
 * resolves with its exit code, in the evaluation worker (runWorkerJob) or, for `m instantiate`, on
 * the main thread first (attemptInstantiate). Each kind of job loads its modules on demand, so
 * that `m instantiate` never initialises the store, its database driver or the builder.
 */
import { createFdOutput, skippingOutput, type Output } from './output';
import type { BuildJob } from './build-run';
import type { CommandJob } from './command-job';
import type { InstantiateJob } from './run-instantiate';
import type { MakesJob } from './run-makes';
import type { MakesAllJob } from './run-makes-all';
import { mark } from './timing';

export type WorkerJob = InstantiateJob | MakesJob | MakesAllJob | BuildJob | CommandJob;

/** What the bundle exports to its loaders. */
export interface EvalBundle {
  runWorkerJob(job: WorkerJob): Promise<number>;
  attemptInstantiate(job: InstantiateJob, out: Output): Promise<number | undefined>;
}

function jobKind(job: unknown): string | undefined {
  return typeof job === 'object' && job !== null ? (job as { kind?: string }).kind : undefined;
}

async function dispatch(job: WorkerJob, out: Output): Promise<number> {
  switch (jobKind(job)) {
    case 'build':
      return (await import('./build-run')).runBuildJob(job as BuildJob, out);
    case 'command':
      return (await import('./command-job')).runCommandJob(job as CommandJob, out);
    case 'makes':
      return (await import('./run-makes')).runMakesJob(job as MakesJob, out);
    case 'makes-all':
      return (await import('./run-makes-all')).runMakesAllJob(job as MakesAllJob, out);
    default:
      return (await import('./run-instantiate')).runInstantiate(job as InstantiateJob, out, {});
  }
}

/**
 * `m instantiate` on the calling (main) thread, whose stack is V8's default (≈ 1 MB): resolves
 * with the exit code, or with undefined when the evaluation ran out of stack, having printed no
 * error (what it printed before, `out` has seen; the worker's run skips that much: `skipOutput`).
 */
export async function attemptInstantiate(job: InstantiateJob, out: Output): Promise<number | undefined> {
  mark('job start (main thread)');
  try {
    const code = await (await import('./run-instantiate')).runInstantiate(job, out, { stackExhausted: 'give-up' });
    return code === 'stack-exhausted' ? undefined : code;
  } finally {
    mark('job done (main thread)');
  }
}

/** Runs `job`; an unexpected failure is reported as an internal error (exit code 1). */
export async function runWorkerJob(job: WorkerJob): Promise<number> {
  mark('job start');
  const skip = (job as InstantiateJob).skipOutput;
  const out = skip ? skippingOutput(createFdOutput(), skip) : createFdOutput();
  try {
    return await dispatch(job, out);
  } catch (e) {
    out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    mark('job done');
  }
}
