/**
 * realise: builds a derivation graph in dependency order, up to `jobs` builds at a time. Outputs
 * already valid are skipped (and their inputs not even looked at); per-output locks make
 * concurrent processes build each derivation once. Like Nix's worker: a failed dependency's error
 * is reported as an event as it happens; the requested (top-level) derivations' errors are thrown.
 */
import * as os from 'node:os';
import { MError } from '@m/core';
import type { Derivation } from '@m/nix-compat';
import type { Store } from '@m/store';
import { buildOne } from './build-one';
import { outputPaths } from './build-request';
import { readStoreDerivation } from './store-eval-io';

export type RealiseEvent =
  | { type: 'build-start'; drvPath: string; name: string; n: number; total: number }
  | { type: 'build-done'; drvPath: string; name: string; n: number; total: number; outputs: Record<string, string> }
  | { type: 'log'; drvPath: string; line: string }
  /**
   * `topLevel` failures are also thrown by realise; the others (dependencies of what was asked
   * for) are only reported here, as Nix logs them when they happen.
   */
  | { type: 'build-failed'; drvPath: string; name: string; error: MError; topLevel: boolean };

export interface RealiseOptions {
  store: Store;
  /** Parallel builds (default: number of CPUs). */
  jobs?: number;
  /** NIX_BUILD_CORES for each build (default: number of CPUs, as Nix). */
  cores?: number;
  onEvent?: (e: RealiseEvent) => void;
  signal?: AbortSignal;
  /** Keep building what does not depend on a failed derivation. */
  keepGoing?: boolean;
  sandboxPaths?: Record<string, string>;
  timeoutSeconds?: number;
  maxSilentSeconds?: number;
  noSandbox?: boolean;
  sandbox?: 'bwrap' | 'unshare';
  /**
   * Tried for a derivation's missing outputs before it is planned for building (binary caches):
   * resolves true when it made them all valid; may throw to fail the realisation.
   */
  substitute?: (outputPaths: string[]) => Promise<boolean>;
  /**
   * Derivations already in memory by .drv path (e.g. what the evaluator just instantiated), each
   * the parsed content of its valid .drv file: used instead of reading and parsing the file.
   */
  derivations?: ReadonlyMap<string, Derivation>;
}

export interface RealiseResult {
  /** For each requested derivation: output name → store path (all valid). */
  outputs: Map<string, Record<string, string>>;
  /** Derivations this call built (in completion order). */
  built: string[];
}

type State = 'pending' | 'running' | 'done' | 'failed' | 'dep-failed' | 'cancelled';

function nameOf(drvPath: string): string {
  const base = drvPath.slice(drvPath.lastIndexOf('/') + 1);
  return base.slice(33, base.endsWith('.drv') ? -4 : undefined);
}

function asMError(e: unknown): MError {
  if (e instanceof MError) return e;
  return new MError('INTERNAL', String((e as Error)?.message ?? e), { cause: e });
}

/** `drvPaths` may carry Nix's `!out,dev` suffix; all outputs are built either way. */
export async function realise(drvPaths: string[], opts: RealiseOptions): Promise<RealiseResult> {
  const { store } = opts;
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const emit = opts.onEvent ?? (() => {});
  const tops = [...new Set(drvPaths.map((p) => p.split('!')[0]!))];

  const drvs = new Map<string, Derivation>();
  const loadDrv = (p: string): Derivation => {
    let d = drvs.get(p);
    if (!d) drvs.set(p, (d = opts.derivations?.get(p) ?? readStoreDerivation(store, p)));
    return d;
  };
  /**
   * Temp roots (kept by gc until this process ends, see @m/store's temp-roots): each derivation
   * visited and all its outputs, added before their validity is checked. The derivations keep
   * their input sources alive; the outputs rooted here are the inputs of what is built (and, once
   * registered, what was built), so the whole input closure of every build stays alive.
   */
  const allValid = (p: string): boolean => {
    const outs = Object.values(outputPaths(p, loadDrv(p)));
    store.addTempRoots(outs);
    return outs.every((o) => store.isValid(o));
  };

  // Derivations in memory are rooted with their outputs in one batch before any validity check.
  if (opts.derivations !== undefined) {
    const known = tops.filter((p) => opts.derivations!.has(p));
    store.addTempRoots(known.flatMap((p) => [p, ...Object.values(outputPaths(p, loadDrv(p)))]));
  }

  // Plan: the derivations with invalid outputs, reachable through other such derivations.
  const state = new Map<string, State>();
  const deps = new Map<string, string[]>();
  const todo = [...tops];
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (state.has(p)) continue;
    store.addTempRoot(p);
    const drv = loadDrv(p);
    if (allValid(p) || (opts.substitute && (await opts.substitute(Object.values(outputPaths(p, drv)).filter((o) => !store.isValid(o)))))) {
      state.set(p, 'done');
      continue;
    }
    state.set(p, 'pending');
    const ins = [...drv.inputDrvs.keys()];
    deps.set(p, ins);
    for (const i of ins) if (!state.has(i)) todo.push(i);
  }
  const total = [...state.values()].filter((s) => s === 'pending').length;

  const abort = new AbortController();
  const onUserAbort = (): void => abort.abort();
  if (opts.signal?.aborted) abort.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });

  const topSet = new Set(tops);
  const errors = new Map<string, MError>();
  const built: string[] = [];
  let started = 0;
  let running = 0;
  let stopping = false;

  const settings = {
    cores: opts.cores ?? Math.max(1, os.cpus().length),
    sandboxPaths: opts.sandboxPaths,
    timeoutSeconds: opts.timeoutSeconds,
    maxSilentSeconds: opts.maxSilentSeconds,
    noSandbox: opts.noSandbox,
    sandbox: opts.sandbox,
  };

  const fail = (p: string, err: MError, kind: 'failed' | 'dep-failed'): void => {
    state.set(p, kind);
    errors.set(p, err);
    emit({ type: 'build-failed', drvPath: p, name: nameOf(p), error: err, topLevel: topSet.has(p) });
    if (!opts.keepGoing && !stopping) {
      stopping = true;
      abort.abort();
    }
  };

  await new Promise<void>((resolveAll) => {
    const pump = (): void => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const [p, s] of state) {
          if (s !== 'pending') continue;
          const ins = deps.get(p)!;
          const failedIns = ins.filter((i) => state.get(i) === 'failed' || state.get(i) === 'dep-failed').length;
          const settled = ins.every((i) => state.get(i) !== 'running' && state.get(i) !== 'pending');
          if (failedIns > 0 && (!opts.keepGoing || settled)) {
            fail(p, new MError('BUILD_FAILED', `${failedIns} dependencies of derivation '${p}' failed to build`), 'dep-failed');
            progressed = true;
            continue;
          }
          if (stopping || abort.signal.aborted) {
            state.set(p, 'cancelled');
            progressed = true;
            continue;
          }
          if (running >= jobs || !ins.every((i) => state.get(i) === 'done')) continue;
          start(p);
          progressed = true;
        }
      }
      if (running === 0) resolveAll();
    };

    const start = (p: string): void => {
      state.set(p, 'running');
      running++;
      let n = 0;
      const run = async (): Promise<void> => {
        const outcome = await buildOne(
          {
            store,
            settings,
            loadDrv,
            signal: abort.signal,
            onStart: () => {
              n = ++started;
              emit({ type: 'build-start', drvPath: p, name: nameOf(p), n, total });
            },
            onLog: (line) => emit({ type: 'log', drvPath: p, line }),
          },
          p,
          loadDrv(p),
        );
        state.set(p, 'done');
        if (outcome === 'built') {
          built.push(p);
          emit({ type: 'build-done', drvPath: p, name: nameOf(p), n, total, outputs: outputPaths(p, loadDrv(p)) });
        }
      };
      run()
        .catch((e) => {
          // Builds we killed because another one failed are cancelled, not failed.
          if (stopping && !opts.signal?.aborted) state.set(p, 'cancelled');
          else fail(p, asMError(e), 'failed');
        })
        .finally(() => {
          running--;
          pump();
        });
    };

    pump();
  });
  opts.signal?.removeEventListener('abort', onUserAbort);

  const failedTops = tops.filter((p) => state.get(p) !== 'done');
  if (failedTops.length > 0) {
    const topErrors = failedTops.map((p) => errors.get(p)).filter((e): e is MError => e !== undefined);
    if (failedTops.length === 1 && topErrors.length === 1) throw topErrors[0]!;
    if (failedTops.length === 1 && opts.signal?.aborted)
      throw new MError('BUILD_FAILED', `build of '${failedTops[0]}' was interrupted`);
    throw new MError('BUILD_FAILED', `build of ${failedTops.map((p) => `'${p}'`).join(', ')} failed`, {
      cause: { errors: topErrors },
    });
  }
  const outputs = new Map<string, Record<string, string>>();
  for (const p of tops) outputs.set(p, outputPaths(p, loadDrv(p)));
  return { outputs, built };
}
