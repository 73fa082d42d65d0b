/**
 * The evaluation-worker side of `m PROJECT /__all__` (makes' `__all__`): evaluates and builds every
 * output of the project, one after the other, going on past failures. Each output that builds is
 * printed on stdout as `OUTPUT STORE-PATH`; each failure is reported on stderr when it happens, and
 * a summary at the end names them. Scripts are built, not run. Each output built gets its out-link
 * (a GC root, out-link.ts) as `m PROJECT /output` would leave it, so `m store gc` keeps them.
 * Exit code: 0 when every output built, 100 (Nix's code for failed builds) when only builds
 * failed, 1 when an evaluation failed.
 */
import * as nodePath from 'node:path';
import { parentPort } from 'node:worker_threads';
import { isMError } from '@m/core';
import { buildOutput, openMakesProject, writeOutLink } from '@m/makes';
import { openStore } from '@m/store';
import { createReporter } from './makes-reporter';
import type { Output } from './output';
import { describeFailure } from './run-instantiate';
import { ALL_OUTPUTS } from './makes-args';
import type { MakesJob, MakesWorkerMessage } from './run-makes';

export type MakesAllJob = Omit<MakesJob, 'kind' | 'output' | 'stream'> & {
  kind: 'makes-all';
  /** Set for a revision's export (local:…@REV, github:…): its out-links go to the store's `.m/out/<linkDir>/`. */
  linkDir?: string;
};

export async function runMakesAllJob(job: MakesAllJob, out: Output): Promise<number> {
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
  const report = (e: unknown): void => {
    rep.done();
    const text = describeFailure(e, job.showTrace, () => undefined, job.debug);
    out.stderr(job.color && isMError(e) ? text.replace(/^error:/, rep.c.red.bold('error:')) : text);
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
    let names: string[];
    try {
      names = [...project.outputs().keys()].filter((n) => n !== ALL_OUTPUTS);
    } catch (e) {
      report(e);
      return 1;
    }
    const failed: { name: string; build: boolean }[] = [];
    parentPort?.postMessage({ type: 'phase', phase: 'build' } satisfies MakesWorkerMessage);
    for (const name of names) {
      if (abort.signal.aborted) return 1;
      let stage: 'eval' | 'build' = 'eval';
      try {
        rep.phase(`evaluating ${name}…`);
        const r = project.evalOutput(name);
        rep.done();
        stage = 'build';
        if (r.drvPath !== undefined) {
          await buildOutput(r.drvPath, { store, jobs: job.jobs, output: name, signal: abort.signal, onEvent: (e) => rep.realise(e), onImageEvent: (e) => rep.image(e.message) });
        } else if (!store.isValid(r.outPath)) {
          throw new Error(`path '${r.outPath}' is not valid`);
        }
        rep.done();
        const physical = nodePath.join(job.storeRoot, nodePath.basename(r.outPath));
        try {
          const link = writeOutLink(job.projectDir, job.storeRoot, name, physical, job.linkDir !== undefined ? { storeDir: job.linkDir } : {});
          if (job.verbosity >= 2) out.stderr(`out-link: ${link} -> ${physical}\n`);
        } catch (e) {
          out.stderr(`${rep.c.yellow('warning:')} cannot write the out-link of '${name}': ${e instanceof Error ? e.message : String(e)}\n`);
        }
        out.stdout(`${name} ${r.outPath}\n`);
      } catch (e) {
        if (abort.signal.aborted) return 1; // the main thread reported the interruption
        failed.push({ name, build: stage === 'build' && isMError(e) && e.code === 'BUILD_FAILED' });
        report(e);
      }
    }
    rep.done();
    if (failed.length === 0) {
      if (job.verbosity > 0) out.stderr(`built all ${names.length} outputs\n`);
      return 0;
    }
    out.stderr(`error: ${failed.length} of ${names.length} outputs failed: ${failed.map((f) => f.name).join(', ')}\n`);
    return failed.every((f) => f.build) ? 100 : 1;
  } finally {
    parentPort?.off('message', onMessage);
    store.close();
  }
}
