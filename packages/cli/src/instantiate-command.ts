/**
 * `m instantiate`: parses nix-instantiate's flags, then evaluates on the main thread, and again in
 * a worker thread with a large stack when the main thread's stack was too small (deeply recursive
 * Nix code recurses deeply in the evaluator; main-thread-eval.ts).
 */
import { readFileSync } from 'node:fs';
import { fromUtf8 } from '@m/nix-compat';
import { usageFailure, type Command, type CommandContext } from './command';
import { resolvePhysicalStore, resolveSearchPath } from './environment';
import { isUsageError, parseInstantiateArgs, type InstantiateOptions } from './instantiate-args';
import type { InstantiateJob } from './run-instantiate';
import { instantiateOnMainThread, mainThreadEvalEnabled } from './main-thread-eval';
import { M_VERSION } from './version';
import { spawnWorker } from './worker-spawn';

const HELP = `Usage: m instantiate [options] [files...]

Evaluate Nix expressions and instantiate store derivations (a drop-in for nix-instantiate 2.8).
Files default to ./default.nix; \`-\` reads standard input.

Options:
  -E, --expr               interpret the arguments as Nix expressions
  --parse                  only parse, print the abstract syntax tree
  --eval                   only evaluate, print the resulting value
  --strict                 with --eval, evaluate lists and attribute sets deeply
  --json, --xml            with --eval, print the value as JSON or XML
  --no-location            with --xml, omit source locations
  -A, --attr PATH          select an attribute (repeatable)
  --arg NAME EXPR          pass the value of EXPR as argument NAME to functions
  --argstr NAME STRING     pass STRING as argument NAME to functions
  -I PATH | PREFIX=PATH    add to the search path for <...> (before NIX_PATH)
  --find-file FILES        look files up in the search path
  --show-trace             show the evaluation trace of errors
  --read-write-mode        accepted for compatibility
  --add-root PATH          register the derivation under PATH (--indirect accepted)
  --store DIR              physical store directory (default: $M_STORE, else store/ beside
                           the nearest makes/ or .git, else ~/.cache/m/store)
`;

function readStdin(): string {
  try {
    return fromUtf8(readFileSync(0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return fromUtf8(readFileSync('/dev/stdin'));
    throw e;
  }
}

function makeJob(o: InstantiateOptions, ctx: CommandContext): InstantiateJob {
  return {
    options: o,
    cwd: ctx.cwd,
    stdinText: o.readStdin ? readStdin() : undefined,
    searchPath: resolveSearchPath(o.includes, ctx.env),
    physicalStore: resolvePhysicalStore(o.store, ctx.env, ctx.cwd),
    storeDir: '/nix/store',
    debug: ctx.env.M_DEBUG === '1',
  };
}

/** Runs the job in the evaluation worker; resolves with its exit code. */
function runInWorker(job: InstantiateJob, ctx: CommandContext): Promise<number> {
  return new Promise((resolveCode) => {
    const worker = spawnWorker(job);
    let code: number | undefined;
    worker.on('message', (m: unknown) => {
      if (typeof m === 'number') code = m;
    });
    worker.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') ctx.out.stderr('error: out of memory\n');
      else ctx.out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (job.debug && e instanceof Error && e.stack) ctx.out.stderr(e.stack + '\n');
      code = 1;
    });
    worker.on('exit', () => resolveCode(code ?? 1));
  });
}

export const instantiateCommand: Command = {
  name: 'instantiate',
  summary: 'evaluate Nix expressions, instantiate derivations (nix-instantiate 2.8)',
  async run(ctx) {
    let o: InstantiateOptions;
    try {
      o = parseInstantiateArgs(ctx.args);
    } catch (e) {
      if (isUsageError(e)) return usageFailure(ctx.out, e.message, 'm instantiate');
      throw e;
    }
    if (o.help) {
      ctx.out.stdout(HELP);
      return 0;
    }
    if (o.version) {
      ctx.out.stdout(`m instantiate (m) ${M_VERSION}\n`);
      return 0;
    }
    const job = makeJob(o, ctx);
    if (!mainThreadEvalEnabled(ctx.env)) return runInWorker(job, ctx);
    const r = await instantiateOnMainThread(job, ctx);
    return 'code' in r ? r.code : runInWorker({ ...job, skipOutput: r.printed }, ctx);
  },
};
