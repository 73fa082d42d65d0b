/**
 * `m log PATH…`: the stored build log of a derivation, or of the derivation that produced an
 * output path (like `nix log`). Logs are streamed in chunks, so their size is not limited by memory.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
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

/** The log file of `p` (a .drv or an output path), or undefined when none is stored. */
export function findBuildLog(store: Store, p: string): string | undefined {
  const candidates = isDerivationPath(p)
    ? [p]
    : [store.queryPathInfo(p)?.deriver, ...(store.isValid(p) ? store.derivers(p) : [])].filter((d): d is string => !!d);
  for (const drv of candidates) {
    const f = store.logPath(drv);
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** Passes the file's text to `write` in pieces of at most `chunkSize` bytes (decoded as UTF-8). */
export function streamFile(file: string, write: (s: string) => void, chunkSize = 1 << 20): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkSize);
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const n = readSync(fd, buf, 0, chunkSize, null);
      if (n === 0) break;
      write(decoder.write(buf.subarray(0, n)));
    }
    write(decoder.end());
  } finally {
    closeSync(fd);
  }
}

/** `m log PATHS…` (runs in the worker). */
export function runLogCommand(ctx: CommandContext): Promise<number> {
  return runStoreCommand(ctx, { name: 'm log', help: HELP, flags: {} }, (a, store) => {
      if (a.positional.length === 0) throw new MError('BAD_ARGUMENT', 'no paths given');
      for (const arg of a.positional) {
        const p = storePathArg(store, arg, ctx.cwd);
        const log = findBuildLog(store, p);
        if (log === undefined) throw new MError('STORE_ERROR', `build log of '${p}' is not available`);
        streamFile(log, (s) => ctx.out.stdout(s));
      }
      return 0;
    });
}
