/** Entry point of the evaluation worker bundle (dist/m-worker.js): runs one job, posts its exit code. */
import { parentPort, workerData } from 'node:worker_threads';
import { createFdOutput } from './output';
import { runInstantiate, type InstantiateJob } from './run-instantiate';

const out = createFdOutput();
runInstantiate(workerData as InstantiateJob, out).then(
  (code) => parentPort?.postMessage(code),
  (e: unknown) => {
    out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    parentPort?.postMessage(1);
  },
);
