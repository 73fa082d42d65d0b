/**
 * The evaluation-worker side of `m PROJECT …`: evaluates the project with @m/makes, builds the
 * output with @m/realise (progress on stderr), records the evaluation in the eval cache, and
 * posts the result (output list or output path) to the main thread. The main thread forwards
 * SIGINT/SIGTERM during the build as an `abort` message: the builds are killed and cleaned up.
 * The store handle's temp roots go to the main thread's file (`tempRoots`), which outlives the
 * worker, so that the output's closure stays alive while the main thread runs it.
 */
import { parentPort } from 'node:worker_threads';
import { MError, isMError } from '@m/core';
import { buildOutput, openMakesProject, streamOutput, writeProjectCache } from '@m/makes';
import type { RealiseEvent } from '@m/realise';
import { openStore } from '@m/store';
import { buildExitStatus, classifyBuildFailure, noBuildFailures } from './build-status';
import { createReporter } from './makes-reporter';
import type { Output } from './output';
import { describeFailure } from './run-instantiate';
import { makesSubstitution, pushToMakesCaches } from './makes-cache';
import { makeSubstitution } from './substitution';
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
  /** Name of the main thread's temp-roots file in the store's `.m/temproots`. */
  tempRoots: string;
  /** Write the image archive of the output to stdout (fd 1) instead of building it into the store. */
  stream?: boolean;
  /** false: a revision's export, taken as it is (not seen through an enclosing git work tree). */
  git?: boolean;
}

/** Messages between the main thread and the makes worker. */
export type MakesWorkerMessage = { type: 'phase'; phase: 'eval' | 'build' } | { type: 'abort' };

export type MakesResult = { kind: 'makes-result'; outputs?: [string, string][]; outPath?: string };

function post(r: MakesResult): void {
  parentPort?.postMessage(r);
}

export async function runMakesJob(job: MakesJob, out: Output): Promise<number> {
  const rep = createReporter({ out, verbosity: job.verbosity, color: job.color, tty: job.tty });
  let store;
  try {
    store = openStore({ root: job.storeRoot, storeDir: job.storeDir, tempRootsFile: job.tempRoots });
  } catch (e) {
    out.stderr(describeFailure(e, false, () => undefined, job.debug));
    return 1;
  }
  const abort = new AbortController();
  const onMessage = (m: MakesWorkerMessage): void => {
    if (m.type === 'abort') abort.abort();
  };
  parentPort?.on('message', onMessage);
  // A failed build exits as Nix's (100, 101 timeout, 102 hash mismatch); anything else 1.
  const failures = noBuildFailures();
  const onEvent = (e: RealiseEvent): void => {
    if (e.type === 'build-failed') classifyBuildFailure(e.error, failures);
    rep.realise(e);
  };
  try {
    const project = openMakesProject({
      projectDir: job.projectDir,
      store,
      env: job.env,
      git: job.git,
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
      writeProjectCache(job.storeRoot, job.projectDir, M_VERSION, { config: { moduleOutputs: project.moduleOutputs(), deps: project.deps(), makesDirs: project.makesDirs() } });
      post({ kind: 'makes-result', outputs: [...outputs] });
      return 0;
    }
    rep.phase(`evaluating ${job.output}…`);
    const r = project.evalOutput(job.output);
    rep.done();
    const caches = project.cacheConfig();
    const say = (line: string): void => {
      rep.done();
      if (job.verbosity > 0 || line.startsWith('warning:')) out.stderr(line + '\n');
    };
    if (job.stream) {
      if (r.drvPath === undefined) throw new MError('BAD_ARGUMENT', `output '${job.output}' is not a container image, so it cannot be streamed`);
      const substitution = makeSubstitution(store, makesSubstitution(caches, job.env), say);
      await streamOutput(r.drvPath, 1, { store, jobs: job.jobs, output: job.output, substitute: substitution?.hook, onEvent, onImageEvent: (e) => rep.image(e.message) });
      rep.done();
      post({ kind: 'makes-result' });
      return 0;
    }
    if (r.drvPath !== undefined) {
      const substitution = makeSubstitution(store, makesSubstitution(caches, job.env), say);
      await substitution?.prefetch([r.drvPath]);
      await buildOutput(r.drvPath, { store, jobs: job.jobs, output: job.output, substitute: substitution?.hook, onEvent, onImageEvent: (e) => rep.image(e.message) });
    } else if (!store.isValid(r.outPath)) {
      throw new MError('STORE_ERROR', `path '${r.outPath}' of output '${job.output}' is not valid`);
    }
    rep.done();
    await pushToMakesCaches(store, caches, r.outPath, job.env, say);
    writeProjectCache(job.storeRoot, job.projectDir, M_VERSION, {
      config: { moduleOutputs: project.moduleOutputs(), deps: project.deps(), makesDirs: project.makesDirs() },
      outputs: { [job.output]: { deps: project.deps(), drvPath: r.drvPath, outPath: r.outPath } },
    });
    post({ kind: 'makes-result', outPath: r.outPath });
    return 0;
  } catch (e) {
    rep.done();
    if (abort.signal.aborted) return 1; // the main thread reported the interruption
    const text = describeFailure(e, job.showTrace, () => undefined, job.debug);
    out.stderr(job.color && isMError(e) ? text.replace(/^error:/, rep.c.red.bold('error:')) : text);
    return buildExitStatus(failures);
  } finally {
    parentPort?.off('message', onMessage);
    store.close();
  }
}
