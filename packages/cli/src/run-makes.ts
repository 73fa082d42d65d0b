/**
 * The evaluation-worker side of `m PROJECT …`: evaluates the project with @m/makes, builds the
 * output with @m/realise (progress on stderr), records the evaluation in the eval cache, and
 * posts the result (output list or output path) to the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { MError, isMError } from '@m/core';
import { buildOutput, openMakesProject, writeProjectCache } from '@m/makes';
import { openStore } from '@m/store';
import { createReporter } from './makes-reporter';
import type { Output } from './output';
import { describeFailure } from './run-instantiate';
import { M_VERSION } from './version';

export interface MakesJob {
  kind: 'makes';
  projectDir: string;
  storeRoot: string;
  storeDir: string;
  /** Absent: list the outputs. */
  output?: string;
  verbosity: number;
  jobs?: number;
  color: boolean;
  tty: boolean;
  showTrace: boolean;
  debug: boolean;
  env: NodeJS.ProcessEnv;
}

export type MakesResult = { kind: 'makes-result'; outputs?: [string, string][]; outPath?: string };

function post(r: MakesResult): void {
  parentPort?.postMessage(r);
}

export async function runMakesJob(job: MakesJob, out: Output): Promise<number> {
  const rep = createReporter({ out, verbosity: job.verbosity, color: job.color, tty: job.tty });
  let store;
  try {
    store = openStore({ root: job.storeRoot, storeDir: job.storeDir });
  } catch (e) {
    out.stderr(describeFailure(e, false, () => undefined, job.debug));
    return 1;
  }
  try {
    const project = openMakesProject({
      projectDir: job.projectDir,
      store,
      env: job.env,
      onHostEvent: (e) => rep.host(e),
      trace: (m) => {
        rep.done();
        out.stderr(`trace: ${m}\n`);
      },
      warn: (m) => {
        rep.done();
        out.stderr(`${rep.c.yellow('warning:')} ${m}\n`);
      },
    });
    if (job.output === undefined) {
      const outputs = project.outputs();
      writeProjectCache(job.storeRoot, job.projectDir, M_VERSION, { config: { deps: project.deps(), makesDirs: project.makesDirs() } });
      post({ kind: 'makes-result', outputs: [...outputs] });
      return 0;
    }
    rep.phase(`evaluating ${job.output}…`);
    const r = project.evalOutput(job.output);
    rep.done();
    if (r.drvPath !== undefined) {
      await buildOutput(r.drvPath, { store, jobs: job.jobs, output: job.output, onEvent: (e) => rep.realise(e), onImageEvent: (e) => rep.image(e.message) });
    } else if (!store.isValid(r.outPath)) {
      throw new MError('STORE_ERROR', `path '${r.outPath}' of output '${job.output}' is not valid`);
    }
    rep.done();
    writeProjectCache(job.storeRoot, job.projectDir, M_VERSION, {
      config: { deps: project.deps(), makesDirs: project.makesDirs() },
      outputs: { [job.output]: { deps: project.deps(), drvPath: r.drvPath, outPath: r.outPath } },
    });
    post({ kind: 'makes-result', outPath: r.outPath });
    return 0;
  } catch (e) {
    rep.done();
    const text = describeFailure(e, job.showTrace, () => undefined, job.debug);
    out.stderr(job.color && isMError(e) ? text.replace(/^error:/, rep.c.red.bold('error:')) : text);
    return 1;
  } finally {
    store.close();
  }
}
