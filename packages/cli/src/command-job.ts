/**
 * Store commands (`m store …`, `m log`, `m show-derivation`) run in the worker, so that the main
 * thread never loads the store's database driver: the main thread sends a CommandJob, the worker
 * runs the command body with the same arguments.
 */
import type { CommandContext } from './command';
import { runLogCommand } from './log-command';
import type { Output } from './output';
import { runShowDerivationCommand } from './show-derivation-command';
import { runStoreCommandLine } from './store-command';
import { renderCommandError } from './store-command-args';

export interface CommandJob {
  kind: 'command';
  name: 'store' | 'log' | 'show-derivation' | 'copy' | 'key' | 'serve' | 'image';
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

export function isCommandJob(job: unknown): job is CommandJob {
  return typeof job === 'object' && job !== null && (job as CommandJob).kind === 'command';
}

const BODIES: Record<CommandJob['name'], (ctx: CommandContext) => Promise<number>> = {
  store: runStoreCommandLine,
  log: runLogCommand,
  'show-derivation': runShowDerivationCommand,
  copy: (ctx) => import('./cache-command').then((m) => m.runCopyCommand(ctx)),
  key: (ctx) => import('./cache-command').then((m) => m.runKeyCommand(ctx)),
  serve: (ctx) => import('./cache-command').then((m) => m.runServeCommand(ctx)),
  image: (ctx) => import('./image-command').then((m) => m.runImageCommand(ctx)),
};

export async function runCommandJob(job: CommandJob, out: Output): Promise<number> {
  try {
    return await BODIES[job.name]({ args: job.args, cwd: job.cwd, env: job.env, out });
  } catch (e) {
    out.stderr(renderCommandError(e, job.env.M_DEBUG === '1'));
    return 1;
  }
}
