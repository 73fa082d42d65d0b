/** Entry point of the evaluation worker bundle (dist/m-worker.js): runs one job, posts its exit code. */
import { parentPort, workerData } from 'node:worker_threads';
import { createFdOutput } from './output';
import { isBuildJob, runBuildJob } from './build-run';
import { isCommandJob, runCommandJob } from './command-job';
import { runInstantiate, type InstantiateJob } from './run-instantiate';
import { runMakesJob, type MakesJob } from './run-makes';

const out = createFdOutput();
const job = workerData as InstantiateJob | MakesJob;
(isBuildJob(job) ? runBuildJob(job, out) : isCommandJob(job) ? runCommandJob(job, out) : job && (job as MakesJob).kind === 'makes' ? runMakesJob(job as MakesJob, out) : runInstantiate(job as InstantiateJob, out)).then(
  (code) => parentPort?.postMessage(code),
  (e: unknown) => {
    out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    parentPort?.postMessage(1);
  },
);
