/**
 * `m build` (like nix-build): parses the flags on the main thread, then evaluates and builds in the
 * evaluation worker. SIGINT/SIGTERM abort the running builds cleanly (the worker kills them and
 * leaves no valid partial path) and `m` exits 130/143; a second signal ends the worker at once.
 */
import { resolve } from 'node:path';
import { usageFailure, type Command, type CommandContext } from './command';
import { isUsageError, parseBuildArgs, type BuildOptions } from './build-args';
import type { BuildJob, BuildWorkerMessage } from './build-run';
import { resolvePhysicalStore, resolveSearchPath } from './environment';
import { removeOwnLeftovers } from '@m/store/temp-roots';
import { isatty } from './lazy-builtins';
import { substitutionConfig } from './substitution-config';
import { spawnWorker } from './worker-spawn';

const HELP = `Usage: m build [options] [FILES...]

Evaluate Nix expressions, build the derivations they describe in the sandbox, and print their
output paths (a drop-in for nix-build). FILES default to ./default.nix.

Options:
  -A, --attr PATH          build this attribute (repeatable)
  -E, --expr               interpret the arguments as Nix expressions
  --arg NAME EXPR          pass the value of EXPR as argument NAME to functions
  --argstr NAME STRING     pass STRING as argument NAME to functions
  -I PATH | PREFIX=PATH    add to the search path for <...>
  -j, --max-jobs N         parallel builds (default: number of cores)
  --cores N                NIX_BUILD_CORES of each build
  -o, --out-link PATH      name of the result links (default ./result)
  --no-out-link            create no result links
  -k, --keep-going         keep building what does not depend on a failed build
  --timeout S              kill builds running longer than S seconds
  --max-silent-time S      kill builds silent for more than S seconds
  --no-sandbox             build without isolation (only when the store is physically /nix/store)
  -Q, --no-build-output    do not show build logs
  --show-trace             show the evaluation trace of errors
  --store DIR              physical store directory (default: $M_STORE, else store/ beside
                           the nearest makes/ or .git, else ~/.cache/m/store)
  --substituters 'URL…'    binary caches to fetch outputs from before building
                           (default: $M_SUBSTITUTERS; file:///DIR or http(s)://HOST/PATH)
  --trusted-public-keys 'K…'  keys whose signatures are accepted (default: $M_TRUSTED_PUBLIC_KEYS)
  --no-require-sigs        accept unsigned paths from substituters
  --fallback               build locally when a download from a substituter fails verification

Exit status: 0 on success, 100 when a build failed (101 timed out, 102 hash mismatch), 1 for
other errors, 130/143 when interrupted.
`;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function makeJob(o: BuildOptions, ctx: CommandContext): BuildJob {
  return {
    kind: 'build',
    options: o,
    cwd: ctx.cwd,
    searchPath: resolveSearchPath(o.includes, ctx.env),
    physicalStore: resolve(ctx.cwd, resolvePhysicalStore(o.store, ctx.env, ctx.cwd)),
    storeDir: '/nix/store',
    debug: ctx.env.M_DEBUG === '1',
    stderrIsTTY: isatty(2),
    columns: process.stderr.columns,
    substitution: substitutionConfig(o, ctx.env),
  };
}

function runInWorker(job: BuildJob, ctx: CommandContext): Promise<number> {
  return new Promise((resolveCode) => {
    const worker = spawnWorker(job);
    let code: number | undefined;
    let phase: 'eval' | 'build' = 'eval';
    let interrupted: string | undefined;
    let terminated = false;

    const onSignal = (sig: NodeJS.Signals): void => {
      const first = interrupted === undefined;
      interrupted ??= sig;
      if (first && phase === 'build') {
        worker.postMessage({ type: 'abort' } satisfies BuildWorkerMessage);
        return;
      }
      // Evaluating or asked twice: stop now (what the worker held in the store is removed on exit).
      if (first) ctx.out.stderr('error: interrupted by the user\n');
      terminated = true;
      void worker.terminate();
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const s of signals) process.on(s, onSignal);

    worker.on('message', (m: unknown) => {
      if (typeof m === 'number') code = m;
      else if ((m as BuildWorkerMessage).type === 'phase') phase = (m as { phase: 'eval' | 'build' }).phase;
    });
    worker.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') ctx.out.stderr('error: out of memory\n');
      else ctx.out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (job.debug && e instanceof Error && e.stack) ctx.out.stderr(e.stack + '\n');
      code = 1;
    });
    worker.on('exit', () => {
      for (const s of signals) process.off(s, onSignal);
      if (terminated) removeOwnLeftovers(resolve(job.physicalStore, '.m'));
      resolveCode(interrupted !== undefined ? SIGNAL_EXIT[interrupted]! : (code ?? 1));
    });
  });
}

export const buildCommand: Command = {
  name: 'build',
  summary: 'build derivations in the sandbox and print their output paths (nix-build)',
  async run(ctx) {
    let o: BuildOptions;
    try {
      o = parseBuildArgs(ctx.args);
    } catch (e) {
      if (isUsageError(e)) return usageFailure(ctx.out, e.message, 'm build');
      throw e;
    }
    if (o.help) {
      ctx.out.stdout(HELP);
      return 0;
    }
    return runInWorker(makeJob(o, ctx), ctx);
  },
};
