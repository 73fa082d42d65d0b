/**
 * The body of `m build` (nix-build): evaluate with the store-backed EvalIO, instantiate, realise,
 * create the `result` links (GC roots) and print the output paths. Runs in the evaluation worker;
 * the main thread forwards SIGINT/SIGTERM as an `abort` message.
 */
import { lstatSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, resolve, basename } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { MError, isMError } from '@m/core';
import { createEvaluator, type AutoArg, type Evaluator, type Value } from '@m/eval';
import { type Derivation, isDerivationPath } from '@m/nix-compat';
import { createStoreEvalIO, realise, type RealiseEvent } from '@m/realise';
import { openStore, type Store } from '@m/store';
import type { BuildOptions } from './build-args';
import type { SearchPathEntry } from './instantiate-args';
import type { Output } from './output';
import { createProgress } from './progress';
import { describeFailure, resolveExprPath } from './run-instantiate';
import { buildExitStatus, classifyBuildFailure } from './build-status';
import { renderCommandError } from './store-command-args';
import { type SubstitutionConfig, makeSubstitution } from './substitution';

export interface BuildJob {
  kind: 'build';
  options: BuildOptions;
  cwd: string;
  searchPath: SearchPathEntry[];
  physicalStore: string;
  storeDir: string;
  debug: boolean;
  stderrIsTTY: boolean;
  columns?: number;
  substitution?: SubstitutionConfig;
}

/** Messages between the main thread and the worker running a build job. */
export type BuildWorkerMessage = { type: 'phase'; phase: 'eval' | 'build' } | { type: 'abort' };

export function isBuildJob(job: unknown): job is BuildJob {
  return typeof job === 'object' && job !== null && (job as BuildJob).kind === 'build';
}

/** One requested output: the derivation and the output name (nix-build's DrvInfo outputName). */
interface Wanted {
  drvPath: string;
  output: string;
}

function evalTopFile(ev: Evaluator, path: string): Value {
  try {
    return ev.evalFile(path);
  } catch (e) {
    if (isMError(e)) {
      const last = e.trace[e.trace.length - 1];
      if (last && last.pos === undefined && last.message === `while evaluating the file '${path}':`) e.trace.pop();
    }
    throw e;
  }
}

/** Evaluates the files/expressions and attribute paths into the requested derivation outputs. */
function evaluate(job: BuildJob, store: Store, out: Output, derivations: Map<string, Derivation>): Wanted[] {
  const o = job.options;
  const ev = createEvaluator({
    io: createStoreEvalIO(store, { derivations }),
    nixPath: job.searchPath,
    storeDir: job.storeDir,
    trace: (msg) => out.stderr(`trace: ${msg}\n`),
    warn: (msg) => out.stderr(`warning: ${msg}\n`),
    showTrace: o.showTrace,
  });
  const autoArgs = new Map<string, AutoArg>();
  for (const a of o.autoArgs) autoArgs.set(a.name, a.kind === 'expr' ? { expr: a.value } : { str: a.value });
  const attrPaths = o.attrPaths.length > 0 ? o.attrPaths : [''];
  const wanted: Wanted[] = [];
  const addLine = (line: string): void => {
    const bang = line.indexOf('!');
    wanted.push(bang < 0 ? { drvPath: line, output: 'out' } : { drvPath: line.slice(0, bang), output: line.slice(bang + 1) });
  };
  const files = o.files.length === 0 && !o.fromArgs ? ['./default.nix'] : o.files;
  for (const f of files) {
    let root: Value;
    if (o.fromArgs) root = ev.evalString(f, job.cwd, '«string»');
    else {
      const abs = resolve(job.cwd, f);
      // A store derivation given directly is built as is (nix-build FOO.drv).
      const sp = isDerivationPath(abs) ? store.toStorePath(abs) : undefined;
      if (sp && sp.endsWith('.drv') && store.isValid(sp)) {
        addLine(sp);
        continue;
      }
      const path =
        f.length > 2 && f.startsWith('<') && f.endsWith('>')
          ? ev.printValue(ev.force(ev.evalString(f, job.cwd, '«string»')), { strict: false })
          : abs;
      root = evalTopFile(ev, resolveExprPath(path));
    }
    for (const attrPath of attrPaths) {
      const v = ev.findAlongAttrPath(root, attrPath, autoArgs);
      for (const line of ev.instantiate(ev.autoCallFunction(v, autoArgs))) addLine(line);
    }
  }
  return wanted;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Points `link` at `target` atomically; refuses to replace anything but a symlink. */
function replaceSymlink(link: string, target: string): void {
  try {
    lstatSync(link);
    if (!isSymlink(link)) throw new MError('IO_ERROR', `cannot create symlink '${link}': a file with that name exists`);
  } catch (e) {
    if (isMError(e)) throw e;
  }
  const tmp = resolve(dirname(link), `.${basename(link)}.tmp-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}

/** nix-build's links: `result`, `result-dev`, and `result-2…` for the second derivation. */
function makeLinks(store: Store, wanted: Wanted[], outPathOf: (w: Wanted) => string, outLink: string, cwd: string): void {
  const counters = new Map<string, number>();
  for (const w of wanted) {
    if (!counters.has(w.drvPath)) counters.set(w.drvPath, counters.size);
    const counter = counters.get(w.drvPath)!;
    let link = resolve(cwd, outLink);
    if (counter > 0) link += `-${counter + 1}`;
    if (w.output !== 'out') link += `-${w.output}`;
    replaceSymlink(link, store.realPath(outPathOf(w)));
    store.addIndirectRoot(link);
  }
}

export async function runBuildJob(job: BuildJob, out: Output): Promise<number> {
  const o = job.options;
  const abort = new AbortController();
  const onMessage = (m: BuildWorkerMessage): void => {
    if (m.type === 'abort') abort.abort();
  };
  parentPort?.on('message', onMessage);
  const post = (m: BuildWorkerMessage): void => parentPort?.postMessage(m);
  const stringSources = o.fromArgs ? o.files : [];
  const sourceOf = (origin: string, line: number): string | undefined =>
    origin === '«string»' ? stringSources.find((s) => s.split('\n').length >= line) : undefined;

  let store: Store | undefined;
  try {
    store = openStore({ root: job.physicalStore, storeDir: job.storeDir });
    post({ type: 'phase', phase: 'eval' });
    let wanted: Wanted[];
    // What the evaluation instantiated, for realise (which then reads no .drv file back).
    const derivations = new Map<string, Derivation>();
    try {
      wanted = evaluate(job, store, out, derivations);
    } catch (e) {
      out.stderr(describeFailure(e, o.showTrace, sourceOf, job.debug));
      return 1;
    }
    post({ type: 'phase', phase: 'build' });

    const progress = createProgress({ out, tty: job.stderrIsTTY, quiet: o.quiet, columns: job.columns });
    const flags = { permanentFailure: false, timedOut: false, hashMismatch: false };
    const onEvent = (e: RealiseEvent): void => {
      if (e.type === 'build-failed') classifyBuildFailure(e.error, flags);
      progress.onEvent(e);
    };
    const drvPaths = [...new Set(wanted.map((w) => w.drvPath))];
    const substitution = job.substitution && makeSubstitution(store, job.substitution, (line) => progress.message(line + '\n'));
    let realised: Map<string, Record<string, string>>;
    try {
      await substitution?.prefetch(drvPaths);
      ({ outputs: realised } = await realise(drvPaths, {
        derivations,
        store,
        jobs: o.jobs,
        cores: o.cores,
        keepGoing: o.keepGoing,
        timeoutSeconds: o.timeoutSeconds,
        maxSilentSeconds: o.maxSilentSeconds,
        noSandbox: o.noSandbox,
        signal: abort.signal,
        onEvent,
        substitute: substitution?.hook,
      }));
    } catch (e) {
      progress.finish();
      if (abort.signal.aborted) {
        out.stderr('error: interrupted by the user\n');
        return 130;
      }
      const many = (e as MError).cause as { errors?: MError[] } | undefined;
      if (isMError(e) && Array.isArray(many?.errors))
        for (const sub of many.errors) out.stderr(renderCommandError(sub, job.debug));
      out.stderr(renderCommandError(e, job.debug));
      return buildExitStatus(flags);
    }
    progress.finish();

    const outPathOf = (w: Wanted): string => {
      const outs = realised.get(w.drvPath)!;
      const p = outs[w.output];
      if (p === undefined) throw new MError('STORE_ERROR', `derivation '${w.drvPath}' does not have an output named '${w.output}'`);
      store!.addTempRoot(p);
      return p;
    };
    const paths = wanted.map(outPathOf);
    if (o.outLink !== undefined) makeLinks(store, wanted, outPathOf, o.outLink, job.cwd);
    out.stdout(paths.map((p) => p + '\n').join(''));
    return 0;
  } catch (e) {
    out.stderr(renderCommandError(e, job.debug));
    return 1;
  } finally {
    store?.close();
    parentPort?.off('message', onMessage);
  }
}
