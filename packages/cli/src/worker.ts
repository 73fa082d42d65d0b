/**
 * The worker's full bundle (dist/m-worker-bundle.cjs, loaded by bundle-loader.ts): runs one job in
 * the evaluation worker and resolves with its exit code. Each kind of job loads its modules on
 * demand, so that a store command never initialises the evaluator. (`m instantiate` has a bundle
 * of its own, eval-bundle.ts.)
 */
import { runJob } from './job-run';
import type { Output, OutputCounts } from './output';
import type { BuildJob } from './build-run';
import type { CommandJob } from './command-job';
import type { InstantiateJob } from './run-instantiate';
import type { MakesJob } from './run-makes';
import type { MakesAllJob } from './run-makes-all';

export type WorkerJob = InstantiateJob | MakesJob | MakesAllJob | BuildJob | CommandJob;

/** What the bundles export to their loaders (attemptInstantiate: eval-bundle.ts only). */
export interface EvalBundle {
  runWorkerJob(job: WorkerJob): Promise<number>;
  attemptInstantiate?(job: InstantiateJob, out: Output): Promise<number | undefined>;
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
      // (the worker runs instantiate jobs from eval-bundle.ts; this is the same body)
      return (await import('./run-instantiate')).runInstantiate(job as InstantiateJob, out, {}).then((c) => (c === 'stack-exhausted' ? 1 : c));
  }
}

/** Runs `job`; an unexpected failure is reported as an internal error (exit code 1). */
export function runWorkerJob(job: WorkerJob): Promise<number> {
  return runJob(job as { skipOutput?: OutputCounts }, (out) => dispatch(job, out));
}
