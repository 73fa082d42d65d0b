/**
 * Entry of the evaluation worker (dist/m-worker.cjs): loads the evaluation bundle through V8's
 * code cache (bundle-loader.ts), runs the job in `workerData` and posts its exit code to the main
 * thread.
 */
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { loadEvalBundle } from './bundle-loader';
import { mark } from './timing';
import type { WorkerJob } from './worker';

mark('worker start');
const { bundle, saveCache } = loadEvalBundle(nodePath.dirname(fileURLToPath(import.meta.url)));
void bundle.runWorkerJob(workerData as WorkerJob).then((code) => {
  saveCache();
  parentPort?.postMessage(code);
});
