/**
 * Perf runner (bundled by perf/run.mjs): evaluates one nix-instantiate-style workload
 * (`--eval [--strict] (-E expr | file)`) in a worker with a 1 GiB stack, as the CLI does, prints
 * the value like nix-instantiate, and reports the CPU time of the evaluation on stderr as
 * `eval-cpu-ms N`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createEvaluator, createPlainFsIO, type EvalIO } from '../src/index';

interface Job {
  args: string[];
}

function runJob(job: Job): { out: string; cpuMs: number } {
  const t0 = process.cpuUsage();
  const ev = createEvaluator({ io: createPlainFsIO({}) as unknown as EvalIO, nixPath: [], storeDir: '/nix/store' });
  const strict = job.args.includes('--strict');
  const ei = job.args.indexOf('-E');
  const file = job.args.filter((a) => !a.startsWith('-'))[0];
  const v = ei >= 0 ? ev.evalString(job.args[ei + 1], process.cwd(), '«string»') : ev.evalFile(file);
  const out = ev.printValue(v, { strict });
  const t = process.cpuUsage(t0);
  return { out, cpuMs: (t.user + t.system) / 1000 };
}

if (isMainThread) {
  const job: Job = { args: process.argv.slice(2) };
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: job, resourceLimits: { stackSizeMb: 1024, ...(process.env.M_YOUNG_MB ? { maxYoungGenerationSizeMb: Number(process.env.M_YOUNG_MB) } : {}) } });
  w.once('message', (m: { out: string; cpuMs: number } | { err: string }) => {
    if ('err' in m) {
      process.stderr.write(`error: ${m.err}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(m.out + '\n');
      process.stderr.write(`eval-cpu-ms ${m.cpuMs.toFixed(1)}\n`);
    }
    void w.terminate();
  });
  w.once('error', (e) => {
    process.stderr.write(`error: ${String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  try {
    parentPort!.postMessage(runJob(workerData as Job));
  } catch (e) {
    parentPort!.postMessage({ err: e instanceof Error ? `${e.message}` : String(e) });
  }
}
