/** How both bundles run a job in the worker: output to the fds, an unexpected failure reported. */
import { createFdOutput, skippingOutput, type Output, type OutputCounts } from './output';
import { mark } from './timing';

/** Runs `body`; an unexpected failure is reported as an internal error (exit code 1). */
export async function runJob(job: { skipOutput?: OutputCounts }, body: (out: Output) => Promise<number>): Promise<number> {
  mark('job start');
  const out = job.skipOutput ? skippingOutput(createFdOutput(), job.skipOutput) : createFdOutput();
  try {
    return await body(out);
  } catch (e) {
    out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    mark('job done');
  }
}
