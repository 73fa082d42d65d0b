/**
 * The shared frame of the store commands (`m store …`, `m log`, `m show-derivation`): flag parsing
 * (boolean flags, combined short flags like `-rS`, `--store DIR`, `--help`), opening the store,
 * and rendering errors as Nix does (`error: …`, exit 1).
 */
import { isMError } from '@m/core';
import type { Store } from '@m/store';
import { usageFailure, type CommandContext } from './command';
import { isUsageError, type UsageError } from './instantiate-args';
import { renderError } from './render-error';
import { openCliStore } from './store-open';

export interface StoreCommandArgs {
  positional: string[];
  /** Canonical names of the boolean flags given. */
  flags: Set<string>;
  store?: string;
  help: boolean;
}

export interface StoreCommandSpec {
  /** e.g. `m store gc`, for the usage hint. */
  name: string;
  help: string;
  /** Flag spelling (without dashes: `r`, `recursive`) → canonical name. */
  flags: Record<string, string>;
  /** True when these arguments may rebuild a lost database (`verify --repair`). */
  rebuildsDatabase?: (a: StoreCommandArgs) => boolean;
}

function usageProblem(message: string): UsageError {
  return { usage: true, message };
}

export function parseStoreCommandArgs(args: readonly string[], flags: Record<string, string>): StoreCommandArgs {
  const res: StoreCommandArgs = { positional: [], flags: new Set(), help: false };
  let dashDash = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (dashDash || a === '-' || !a.startsWith('-')) {
      res.positional.push(a);
      continue;
    }
    if (a === '--') {
      dashDash = true;
      continue;
    }
    if (a === '--help') {
      res.help = true;
      continue;
    }
    if (a === '--store') {
      if (i + 1 >= args.length) throw usageProblem(`flag '${a}' requires 1 argument(s)`);
      res.store = args[++i];
      continue;
    }
    if (a.startsWith('--')) {
      const f = flags[a.slice(2)];
      if (f === undefined) throw usageProblem(`unrecognised flag '${a}'`);
      res.flags.add(f);
      continue;
    }
    for (const c of a.slice(1)) {
      const f = flags[c];
      if (f === undefined || c.length !== 1) throw usageProblem(`unrecognised flag '-${c}'`);
      res.flags.add(f);
    }
  }
  return res;
}

/** Renders an error thrown by a command body; MErrors are the user's, anything else is internal. */
export function renderCommandError(e: unknown, debug: boolean): string {
  if (isMError(e)) return renderError({ message: e.message, pos: e.pos, hint: e.hint }, { showTrace: false });
  let s = `error: internal error: ${e instanceof Error ? e.message : String(e)}\n`;
  if (debug && e instanceof Error && e.stack) s += e.stack + '\n';
  return s;
}

/** Parses, opens the store, runs `body`, closes the store; returns the exit code. */
export async function runStoreCommand(
  ctx: CommandContext,
  spec: StoreCommandSpec,
  body: (a: StoreCommandArgs, store: Store) => number | Promise<number>,
): Promise<number> {
  let a: StoreCommandArgs;
  try {
    a = parseStoreCommandArgs(ctx.args, spec.flags);
  } catch (e) {
    if (isUsageError(e)) return usageFailure(ctx.out, e.message, spec.name);
    throw e;
  }
  if (a.help) {
    ctx.out.stdout(spec.help);
    return 0;
  }
  let store: Store | undefined;
  try {
    store = openCliStore(a.store, ctx.env, ctx.cwd, spec.rebuildsDatabase?.(a) ?? false);
    return await body(a, store);
  } catch (e) {
    ctx.out.stderr(renderCommandError(e, ctx.env.M_DEBUG === '1'));
    return 1;
  } finally {
    store?.close();
  }
}
