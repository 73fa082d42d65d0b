/**
 * The evaluation worker's bundle (dist/m-worker-bundle.cjs, loaded by worker-loader.ts): runs one
 * job and resolves with its exit code. Each kind of job loads its modules on demand, so that
 * `m instantiate` never initialises the store, its database driver or the builder.
 */
import { createFdOutput } from './output';
import type { BuildJob } from './build-run';
import type { CommandJob } from './command-job';
import type { InstantiateJob } from './run-instantiate';
import type { MakesJob } from './run-makes';
import type { MakesAllJob } from './run-makes-all';
import { mark } from './timing';

export type WorkerJob = InstantiateJob | MakesJob | MakesAllJob | BuildJob | CommandJob;

function jobKind(job: unknown): string | undefined {
  return typeof job === 'object' && job !== null ? (job as { kind?: string }).kind : undefined;
}

async function dispatch(job: WorkerJob, out: ReturnType<typeof createFdOutput>): Promise<number> {
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
      return (await import('./run-instantiate')).runInstantiate(job as InstantiateJob, out);
  }
}

/** Runs `job`; an unexpected failure is reported as an internal error (exit code 1). */
export async function runWorkerJob(job: WorkerJob): Promise<number> {
  mark('job start');
  const out = createFdOutput();
  try {
    return await dispatch(job, out);
  } catch (e) {
    out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    mark('job done');
  }
}
