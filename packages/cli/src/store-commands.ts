/**
 * The main-thread entries of the store commands: light objects for the command table that run
 * the command in the worker (see command-job.ts).
 */
import type { Command, CommandContext } from './command';
import type { CommandJob } from './command-job';
import { spawnWorker } from './worker-spawn';

export function runInWorker(job: CommandJob, ctx: CommandContext): Promise<number> {
  return new Promise((resolveCode) => {
    const worker = spawnWorker(job, { evaluates: false });
    let code: number | undefined;
    worker.on('message', (m: unknown) => {
      if (typeof m === 'number') code = m;
    });
    worker.on('error', (e) => {
      ctx.out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      code = 1;
    });
    worker.on('exit', () => resolveCode(code ?? 1));
  });
}

function delegate(name: CommandJob['name'], summary: string): Command {
  return {
    name,
    summary,
    run: (ctx) => runInWorker({ kind: 'command', name, args: ctx.args, cwd: ctx.cwd, env: { ...ctx.env } }, ctx),
  };
}

export const storeCommand = delegate('store', 'store maintenance and queries: gc, verify, path-info, why-depends');
export const logCommand = delegate('log', 'show the build log of a derivation or output path (nix log)');
export const showDerivationCommand = delegate('show-derivation', 'show store derivations as JSON (nix show-derivation)');
