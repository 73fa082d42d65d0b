/** The main-thread entries of the binary-cache commands; their bodies (cache-command.ts) run in the worker. */
import type { Command } from './command';
import type { CommandJob } from './command-job';
import { runInWorker } from './store-commands';

function delegate(name: CommandJob['name'], summary: string): Command {
  return {
    name,
    summary,
    run: (ctx) => runInWorker({ kind: 'command', name, args: ctx.args, cwd: ctx.cwd, env: { ...ctx.env } }, ctx),
  };
}

export const copyCommand = delegate('copy', 'copy store paths to or from a binary cache (nix copy)');
export const keyCommand = delegate('key', 'generate signing keys for binary caches (nix key)');
export const serveCommand = delegate('serve', 'serve the store as a read-only binary cache over HTTP (nix-serve)');
export const imageCommand = delegate('image', 'push container images to OCI registries (m image push)');
