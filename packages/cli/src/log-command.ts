/**
 * `m log PATH…`: the stored build log of a derivation, or of the derivation that produced an
 * output path (like `nix log`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { MError } from '@m/core';
import { isDerivationPath } from '@m/nix-compat';
import type { Store } from '@m/store';
import type { CommandContext } from './command';
import { runStoreCommand } from './store-command-args';
import { storePathArg } from './store-open';

const HELP = `Usage: m log [options] PATHS...

Show the build log of derivations (or of the derivations that produced the given output paths).

Options:
  --store DIR   physical store directory
`;

/** The log text of `p` (a .drv or an output path), or undefined when none is stored. */
export function readBuildLog(store: Store, p: string): string | undefined {
  const candidates = isDerivationPath(p)
    ? [p]
    : [store.queryPathInfo(p)?.deriver, ...(store.isValid(p) ? store.derivers(p) : [])].filter((d): d is string => !!d);
  for (const drv of candidates) {
    const f = store.logPath(drv);
    if (existsSync(f)) return readFileSync(f, 'utf8');
  }
  return undefined;
}

/** `m log PATHS…` (runs in the worker). */
export function runLogCommand(ctx: CommandContext): Promise<number> {
  return runStoreCommand(ctx, { name: 'm log', help: HELP, flags: {} }, (a, store) => {
      if (a.positional.length === 0) throw new MError('BAD_ARGUMENT', 'no paths given');
      for (const arg of a.positional) {
        const p = storePathArg(store, arg, ctx.cwd);
        const log = readBuildLog(store, p);
        if (log === undefined) throw new MError('STORE_ERROR', `build log of '${p}' is not available`);
        ctx.out.stdout(log);
      }
      return 0;
    });
}
