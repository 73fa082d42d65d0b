/**
 * Entry of the evaluation worker (dist/m-worker.cjs): loads a bundle through V8's code cache
 * (bundle-loader.ts: the eval bundle for `m instantiate`, else the full one), runs the job in
 * `workerData` and posts its exit code to the main thread.
 */
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { loadEvalBundle } from './bundle-loader';
import { mark } from './timing';
import type { WorkerJob } from './worker';

mark('worker start');
const job = workerData as WorkerJob;
const instantiate = (job as { kind?: string }).kind === undefined;
const { bundle, saveCache } = loadEvalBundle(nodePath.dirname(fileURLToPath(import.meta.url)), instantiate ? 'm-eval-bundle' : 'm-worker-bundle', 'worker');
void bundle.runWorkerJob(job).then((code) => {
  saveCache();
  parentPort?.postMessage(code);
});
