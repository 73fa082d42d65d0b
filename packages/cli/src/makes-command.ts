/**
 * `m PROJECT [options] [OUTPUT [ARGS…]]` (fluidattacks/makes' command line): lists the outputs of
 * the project in directory PROJECT, or evaluates and builds OUTPUT and points its out-link
 * (`.m/out-<name>`, a GC root) at it. A script (makeScript) then runs with ARGS in a namespace where
 * the store is at /nix/store, alone on stdout (m's lines go to stderr), and m exits with its exit
 * code; any other output's store path is printed on stdout. A failed build exits 100 (as Nix).
 * Main thread side: when the eval cache proves nothing the last
 * evaluation read has changed, no evaluator is loaded at all; otherwise the evaluation worker
 * runs run-makes.ts.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isMError } from '@m/core';
import { removeOwnLeftovers, tempRootsFile, type TempRootsFile } from '@m/store/temp-roots';
import { stopChildProcesses } from './stop-children';
import {
  DEFAULT_MAKES_DIRS,
  createDepChecker,
  depsHold,
  discoverOutputs,
  ensureProjectMetaDir,
  plainDirReader,
  projectDirReader,
  readProjectCache,
  readTrackedFiles,
  sourceLinkDir,
  unknownOutputError,
  withModuleOutputs,
  writeOutLink,
} from '@m/makes/light';
import { usageFailure, type Command, type CommandContext } from './command';
import { resolvePhysicalStore } from './environment';
import { ALL_OUTPUTS, MAKES_HELP, MakesUsageError, parseMakesArgs, type MakesOptions } from './makes-args';
import { lastPick, pickOutput, savePick } from './output-picker';
import { isProjectWord, openProjectSource, parseProjectSpec, type ProjectSource } from './project-source';
import type { MakesAllJob } from './run-makes-all';
import { renderError } from './render-error';
import { runInStoreNamespace } from './run-in-namespace';
import type { MakesJob, MakesResult, MakesWorkerMessage } from './run-makes';
import { isatty } from './lazy-builtins';
import { mark } from './timing';
import { M_VERSION } from './version';
import { spawnWorker } from './worker-spawn';

const STORE_DIR = '/nix/store';

/**
 * True when `name` (the first word of the command line, not a command) names a project: a path
 * (`.`, `..`, anything with a slash), an existing directory, or `local:…`, `github:…`, `gitlab:…`
 * (project-source.ts).
 */
export function looksLikeProject(name: string): boolean {
  return isProjectWord(name);
}

function wantsColor(env: NodeJS.ProcessEnv, fd: number): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isatty(fd) && env.TERM !== 'dumb';
}

const isTTY = (fd: number): boolean => isatty(fd);

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function runWorker(job: MakesJob | MakesAllJob, ctx: CommandContext): Promise<{ code: number; result?: MakesResult; interrupted?: string }> {
  return new Promise((resolve) => {
    const worker = spawnWorker(job);
    let code: number | undefined;
    let result: MakesResult | undefined;
    let phase: 'eval' | 'build' = 'eval';
    let interrupted: string | undefined;
    let terminated = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      const first = interrupted === undefined;
      interrupted ??= sig;
      if (first) ctx.out.stderr('error: interrupted by the user\n');
      if (first && phase === 'build') {
        worker.postMessage({ type: 'abort' } satisfies MakesWorkerMessage);
        return;
      }
      terminated = true;
      void worker.terminate();
      // A worker blocked in a download (curl, git) cannot stop until that process ends.
      stopChildProcesses(sig);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const s of signals) process.on(s, onSignal);
    worker.on('message', (m: unknown) => {
      if (typeof m === 'number') code = m;
      else if (m && typeof m === 'object' && (m as MakesResult).kind === 'makes-result') result = m as MakesResult;
      else if (m && typeof m === 'object' && (m as MakesWorkerMessage).type === 'phase') phase = (m as { phase: 'eval' | 'build' }).phase;
    });
    worker.on('error', (e) => {
      ctx.out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (job.debug && e instanceof Error && e.stack) ctx.out.stderr(e.stack + '\n');
      code = 1;
    });
    worker.on('exit', () => {
      for (const s of signals) process.off(s, onSignal);
      // A stopped worker could not release what it held in the store.
      if (terminated) removeOwnLeftovers(nodePath.join(job.storeRoot, '.m'));
      resolve({ code: code ?? 1, result, interrupted });
    });
  });
}

function printListing(ctx: CommandContext, o: MakesOptions, outputs: [string, string][]): number {
  if (o.json) {
    ctx.out.stdout(JSON.stringify(outputs.map(([name, file]) => ({ name, file }))) + '\n');
    return 0;
  }
  const lines = outputs.map(([n]) => `  ${n}`).join('\n');
  ctx.out.stdout(`Usage: m ${o.project} OUTPUT [ARGS...]\n\nOutputs:\n${lines || '  (none: add makes/<name>/main.nix)'}\n`);
  // As makes: a listing is only an answer for a person at a terminal.
  return isTTY(1) ? 0 : 1;
}

/**
 * Without OUTPUT: on a terminal (stdin and stdout), the output picker (output-picker.ts), whose
 * choice comes back as options to run; otherwise, or with --json, the listing's exit code.
 */
async function listOrPick(ctx: CommandContext, o: MakesOptions, outputs: [string, string][], r: Resolved): Promise<number | MakesOptions> {
  if (o.json || outputs.length === 0 || !isTTY(0) || !isTTY(1)) {
    const code = printListing(ctx, o, outputs);
    if (!o.json) noteUntracked(ctx, o, outputs, r);
    return code;
  }
  const drawOn = isTTY(2) ? 2 : 1;
  const tty = process.stdin as import('node:tty').ReadStream;
  const stream = (drawOn === 2 ? process.stderr : process.stdout) as import('node:tty').WriteStream;
  const names = outputs.map(([n]) => n);
  // Remembered per directory; a revision (local:, github:, …) by its word, its export being temporary.
  const key = /^(local|github|gitlab):/.test(o.project) ? o.project : r.projectDir;
  const picked = await pickOutput(
    o.project,
    names,
    {
      input: tty,
      write: (t) => (drawOn === 2 ? ctx.out.stderr(t) : ctx.out.stdout(t)),
      rows: () => stream.rows || 24,
      columns: () => stream.columns || 80,
    },
    lastPick(ctx.env, key, names),
  );
  if (picked.kind === 'chosen') {
    savePick(ctx.env, key, picked.line);
    return { ...o, output: picked.output, scriptArgs: picked.args };
  }
  ctx.out.stderr(`error: no output chosen (run 'm ${o.project} OUTPUT [ARGS...]', or 'm ${o.project} --help')\n`);
  return picked.interrupt ? 130 : 1;
}

/**
 * After a listing in a git work tree: the main.nix files that are there but not tracked, so not
 * outputs (as makes), named on stderr with what to do. (Default makes directory only.)
 */
function noteUntracked(ctx: CommandContext, o: MakesOptions, outputs: [string, string][], r: Resolved): void {
  if (isExport(o) || readTrackedFiles(r.projectDir, ctx.env) === undefined) return;
  const listed = new Set(outputs.map(([n]) => n));
  const missing = [...discoverOutputs(r.projectDir, DEFAULT_MAKES_DIRS, plainDirReader, new Set([r.storeRoot])).keys()].filter((n) => !listed.has(n));
  if (missing.length === 0) return;
  ctx.out.stderr(`note: not tracked by git, so not outputs (as in makes): ${missing.join(', ')}; git add their main.nix to use them\n`);
}

interface Resolved {
  projectDir: string;
  storeRoot: string;
}

/** PROJECT is a revision exported for this run (local:PATH@REV, github:…, gitlab:…), not a directory of the user's. */
const isExport = (o: MakesOptions): boolean => parseProjectSpec(o.project)?.kind !== 'dir';

/**
 * Points the output's out-link at `outPath` (a GC root), then: a script (makeScript) runs with
 * ARGS, owning stdout, while m's own line (the store path) goes to stderr; any other output's store
 * path is printed on stdout. The caller keeps `outPath` temp-rooted meanwhile.
 */
async function runOutput(outPath: string, o: MakesOptions, r: Resolved, ctx: CommandContext): Promise<number> {
  const physical = nodePath.join(r.storeRoot, nodePath.basename(outPath));
  if (o.output !== undefined) {
    try {
      // A revision's export is no place for links: they go to the store, named by PROJECT.
      const link = writeOutLink(r.projectDir, r.storeRoot, o.output, physical, isExport(o) ? { storeDir: sourceLinkDir(o.project) } : {});
      if (o.verbosity >= 2) ctx.out.stderr(`out-link: ${link} -> ${physical}\n`);
    } catch (e) {
      ctx.out.stderr(`warning: cannot write the out-link of '${o.output}': ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  const action = nodePath.join(physical, 'makes-action.sh');
  if (!fs.existsSync(action)) {
    ctx.out.stdout(outPath + '\n');
    return 0;
  }
  if (o.verbosity >= 1) ctx.out.stderr(outPath + '\n');
  try {
    return await runInStoreNamespace([`${outPath}/makes-action.sh`, outPath, ...o.scriptArgs], {
      physicalStore: r.storeRoot,
      storeDir: STORE_DIR,
      cwd: ctx.cwd,
      env: ctx.env,
    });
  } catch (e) {
    ctx.out.stderr(`error: running '${o.output}': ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

export async function runMakes(project: string, args: readonly string[], ctx: CommandContext): Promise<number> {
  let o: MakesOptions;
  try {
    o = parseMakesArgs(project, args);
  } catch (e) {
    if (e instanceof MakesUsageError) return usageFailure(ctx.out, e.message, 'm . --help');
    throw e;
  }
  if (o.help) {
    ctx.out.stdout(MAKES_HELP);
    return 0;
  }
  let src: ProjectSource;
  // SIGINT/SIGTERM while a remote project downloads: stop, remove what came so far, exit 130/143.
  const abort = new AbortController();
  let signal: string | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    signal ??= sig;
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    src = await openProjectSource(project, { cwd: ctx.cwd, env: ctx.env, signal: abort.signal, say: o.verbosity > 0 ? (l) => ctx.out.stderr(l + '\n') : undefined });
  } catch (e) {
    if (signal !== undefined) {
      ctx.out.stderr('error: interrupted by the user\n');
      return SIGNAL_EXIT[signal]!;
    }
    if (!isMError(e)) throw e;
    ctx.out.stderr(renderError({ message: e.message, hint: e.hint }, { showTrace: false }));
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  try {
    const r: Resolved = { projectDir: src.dir, storeRoot: nodePath.resolve(resolvePhysicalStore(o.store, ctx.env, src.storeBase)) };
    return await runResolved(o, r, ctx);
  } finally {
    src.cleanup();
  }
}

/** `m PROJECT …` once PROJECT is a directory (and again with the picker's choice). */
async function runResolved(o: MakesOptions, r: Resolved, ctx: CommandContext): Promise<number> {
  if (o.output === ALL_OUTPUTS) return buildAll(o, r, ctx);
  const useCache = !o.noCache;
  const cache = useCache ? readProjectCache(r.storeRoot, r.projectDir, M_VERSION) : undefined;
  mark('eval cache read');

  // The makes directories: the default, or makes.nix's (from the cache when still valid).
  // As makes sees the project: in a git work tree, only what git tracks (git-tracked.ts).
  const reader = projectDirReader(r.projectDir, ctx.env, !isExport(o));
  // makes.nix's deps and the output's are mostly the same files: each is read once.
  const holds = createDepChecker(ctx.env);
  mark('git index read');
  let makesDirs: readonly string[] | undefined = DEFAULT_MAKES_DIRS;
  let moduleOutputs: Record<string, string> | undefined;
  if (reader.fileType(nodePath.join(r.projectDir, 'makes.nix')) !== undefined) {
    makesDirs = cache?.config && depsHold(cache.config.deps, ctx.env, holds) ? cache.config.makesDirs : undefined;
    moduleOutputs = cache?.config?.moduleOutputs;
    mark('makes.nix deps checked');
  }

  if (makesDirs !== undefined) {
    const outputs = withModuleOutputs(discoverOutputs(r.projectDir, makesDirs, reader, new Set([r.storeRoot])), moduleOutputs);
    if (o.output === undefined) {
      const picked = await listOrPick(ctx, o, [...outputs], r);
      return typeof picked === 'number' ? picked : runResolved(picked, r, ctx);
    }
    if (!outputs.has(o.output)) {
      const untracked = reader === plainDirReader ? undefined : discoverOutputs(r.projectDir, makesDirs, plainDirReader, new Set([r.storeRoot])).get(o.output);
      const e = unknownOutputError(o.output, outputs.keys(), untracked);
      ctx.out.stderr(renderError({ message: e.message, hint: e.hint }, { showTrace: false }));
      return 1;
    }
    const hit = o.stream ? undefined : cache?.outputs[o.output];
    mark('outputs listed');
    if (hit && depsHold(hit.deps, ctx.env, holds)) {
      mark('eval cache hit');
      // Rooted before the existence check: a gc that starts later keeps it (see temp-roots.ts).
      const roots = openRoots(r);
      try {
        try {
          roots.add([hit.outPath]);
        } catch {
          /* a store this process cannot write to cannot be garbage-collected by it either */
        }
        if (fs.existsSync(nodePath.join(r.storeRoot, nodePath.basename(hit.outPath)))) return await runOutput(hit.outPath, o, r, ctx);
      } finally {
        roots.remove();
      }
    }
  }

  // Before evaluating, so that the project's listing an evaluation records stays as it is.
  if (o.output !== undefined && !o.stream && !isExport(o)) ensureProjectMetaDir(r.projectDir);
  const roots = openRoots(r);
  try {
    return await evaluateAndRun(o, r, ctx, roots);
  } finally {
    roots.remove();
  }
}

/** The temp-roots file of this run (created by its first add). */
function openRoots(r: Resolved): TempRootsFile {
  return tempRootsFile(nodePath.join(r.storeRoot, '.m'));
}

async function evaluateAndRun(o: MakesOptions, r: Resolved, ctx: CommandContext, roots: TempRootsFile): Promise<number> {
  const job: MakesJob = {
    kind: 'makes',
    projectDir: r.projectDir,
    storeRoot: r.storeRoot,
    storeDir: STORE_DIR,
    output: o.output,
    verbosity: o.verbosity,
    jobs: o.jobs,
    color: wantsColor(ctx.env, 2),
    tty: isTTY(2),
    showTrace: o.showTrace,
    debug: ctx.env.M_DEBUG === '1',
    env: { ...ctx.env },
    tempRoots: nodePath.basename(roots.file),
    stream: o.stream,
    git: !isExport(o),
  };
  const { code, result, interrupted } = await runWorker(job, ctx);
  if (interrupted !== undefined) return SIGNAL_EXIT[interrupted]!;
  if (code !== 0 || !result) return code || 1;
  if (o.output === undefined) {
    const picked = await listOrPick(ctx, o, result.outputs ?? [], r);
    return typeof picked === 'number' ? picked : runResolved(picked, r, ctx);
  }
  if (o.stream) return 0;
  if (result.outPath === undefined) return 1;
  return runOutput(result.outPath, o, r, ctx);
}

/** `m PROJECT /__all__`: every output built in the worker (run-makes-all.ts), which prints them. */
async function buildAll(o: MakesOptions, r: Resolved, ctx: CommandContext): Promise<number> {
  // Before evaluating, as for one output: the links the worker writes land in an existing .m/.
  if (!isExport(o)) ensureProjectMetaDir(r.projectDir);
  const roots = openRoots(r);
  try {
    const job: MakesAllJob = {
      kind: 'makes-all',
      projectDir: r.projectDir,
      storeRoot: r.storeRoot,
      storeDir: STORE_DIR,
      verbosity: o.verbosity,
      jobs: o.jobs,
      color: wantsColor(ctx.env, 2),
      tty: isTTY(2),
      showTrace: o.showTrace,
      debug: ctx.env.M_DEBUG === '1',
      env: { ...ctx.env },
      tempRoots: nodePath.basename(roots.file),
      linkDir: isExport(o) ? sourceLinkDir(o.project) : undefined,
      git: !isExport(o),
    };
    const { code, interrupted } = await runWorker(job, ctx);
    return interrupted !== undefined ? SIGNAL_EXIT[interrupted]! : code;
  } finally {
    roots.remove();
  }
}

/** The command behind `m PROJECT …` (found by findCommand when the first word is a path). */
export function projectCommand(project: string): Command {
  return {
    name: project,
    summary: 'build an output of a makes project (m PROJECT [OUTPUT [ARGS...]])',
    run: (ctx) => runMakes(project, ctx.args, ctx).catch((e: unknown) => {
      if (isMError(e)) {
        ctx.out.stderr(renderError({ message: e.message, pos: e.pos, hint: e.hint }, { showTrace: false }));
        return 1;
      }
      throw e;
    }),
  };
}
