/**
 * Substitution: fetching store paths (with their closures) from binary caches into the local
 * store. Caches are tried in order. A narinfo must carry a signature by a trusted key (unless
 * `checkSigs` is off); a cache without one for a path is passed over with a warning, as Nix does.
 * A download is checked against FileHash/FileSize and NarHash/NarSize, unpacked and re-hashed
 * before anything is registered; a mismatch is an error. A cache that cannot be reached is
 * marked down after its first failure and not asked again by this substituter.
 */
import { MError, isMError } from '@m/core';
import {
  type NarInfo,
  type PublicKey,
  narInfoFileName,
  parseCacheInfo,
  parseNarInfo,
  pathFingerprint,
  verifyDetached,
} from '@m/nix-compat';
import type { Store } from '@m/store';
import { type StagedPath, registerStaged, stageNar } from './import-nar';
import { runInDependencyOrder } from './schedule';
import { type CacheTransport, isUnreachable, openTransport } from './transport';

/** Downloads at a time: they mostly wait on the network and the disk. */
const DEFAULT_JOBS = 8;
/** Paths registered per database transaction. */
const REGISTER_BATCH = 64;

export type SubstituteEvent =
  | { type: 'copying'; path: string; from: string }
  | { type: 'warning'; message: string };

export interface SubstituterOptions {
  store: Store;
  /** Cache URLs, in order of preference. */
  urls: string[];
  trustedKeys: PublicKey[];
  /** Require a valid signature by a trusted key (default true, as Nix's require-sigs). */
  checkSigs?: boolean;
  /** Seconds a cache may take to answer before it counts as down (default 10). */
  timeoutSeconds?: number;
  /** Bearer token per cache URL (private caches). */
  tokens?: Map<string, string>;
  /** Parallel downloads (default 8). */
  jobs?: number;
  onEvent?: (e: SubstituteEvent) => void;
}

export interface Substituter {
  /**
   * Makes `paths` valid from the caches, with their closures. Returns the paths that could not
   * be substituted (not in any usable cache); throws when a download fails verification.
   */
  substitute(paths: Iterable<string>): Promise<string[]>;
  /** Which of `paths` (invalid ones) some cache has a usable narinfo for; nothing is downloaded. */
  query(paths: Iterable<string>): Promise<Set<string>>;
  /** Paths this substituter made valid, in order. */
  readonly copied: string[];
}

interface Cache {
  transport: CacheTransport;
  down: boolean;
  checked?: Promise<boolean>;
}

interface Found {
  info: NarInfo;
  cache: Cache;
}

const SUPPORTED = new Set(['xz', 'zstd', 'none']);

export function createSubstituter(opts: SubstituterOptions): Substituter {
  const { store } = opts;
  const checkSigs = opts.checkSigs ?? true;
  const warn = (message: string) => opts.onEvent?.({ type: 'warning', message });
  const caches: Cache[] = opts.urls.map((u) => ({
    transport: openTransport(u, { timeoutSeconds: opts.timeoutSeconds, token: opts.tokens?.get(u) }),
    down: false,
  }));
  const copied: string[] = [];

  /** Runs a request against `c`; an unreachable cache is marked down (one warning) and yields undefined. */
  const ask = async <T>(c: Cache, fn: () => Promise<T>): Promise<T | undefined> => {
    if (c.down) return undefined;
    try {
      return await fn();
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      c.down = true;
      warn(`${(e as MError).message}; not using substituter '${c.transport.url}' any more`);
      return undefined;
    }
  };

  /** Whether `c` answers and serves this store directory (asked once; concurrent callers share the answer). */
  const usable = (c: Cache): Promise<boolean> =>
    (c.checked ??= (async () => {
      const text = await ask(c, () => c.transport.get('nix-cache-info'));
      if (text !== undefined && !c.down) {
        const dir = parseCacheInfo(text.toString('utf8')).storeDir;
        if (dir !== store.storeDir) {
          warn(`binary cache '${c.transport.url}' is for Nix stores with prefix '${dir}', not '${store.storeDir}'`);
          c.down = true;
        }
      }
      return !c.down;
    })()).then(() => !c.down);

  const trusted = (info: NarInfo): boolean => {
    if (!checkSigs) return true;
    const fp = pathFingerprint(info.storePath, info.narHash, info.narSize, info.references);
    return info.sigs.some((s) => verifyDetached(fp, s, opts.trustedKeys));
  };

  const lookup = async (p: string): Promise<Found | undefined> => {
    for (const c of caches) {
      if (!(await usable(c))) continue;
      const name = narInfoFileName(p);
      const raw = await ask(c, () => c.transport.get(name));
      if (raw === undefined) continue;
      let info: NarInfo;
      try {
        info = parseNarInfo(raw.toString('utf8'), `${c.transport.url}/${name}`, store.storeDir);
      } catch (e) {
        if (!isMError(e)) throw e;
        warn(`${e.message}; not substituting '${p}' from '${c.transport.url}'`);
        continue;
      }
      if (info.storePath !== p) {
        warn(`NAR info file '${c.transport.url}/${name}' is for '${info.storePath}', not '${p}'`);
        continue;
      }
      if (!trusted(info)) {
        warn(`substituter '${c.transport.url}' does not have a valid signature for path '${p}'`);
        continue;
      }
      if (!SUPPORTED.has(info.compression)) {
        warn(`substituter '${c.transport.url}' uses unsupported compression '${info.compression}' for path '${p}'`);
        continue;
      }
      return { info, cache: c };
    }
    return undefined;
  };

  const fetchOne = async ({ info, cache }: Found): Promise<StagedPath> => {
    opts.onEvent?.({ type: 'copying', path: info.storePath, from: cache.transport.url });
    const stream = await cache.transport.getStream(info.url);
    if (stream === undefined)
      throw new MError('STORE_ERROR', `file '${info.url}' does not exist in binary cache '${cache.transport.url}'`);
    return stageNar(store, info, stream, cache.transport.url);
  };

  /** narinfo lookups, each asked once per substituter (like Nix's narinfo cache), at most 16 at a time. */
  const known = new Map<string, Promise<Found | undefined>>();
  const find = async (paths: readonly string[]): Promise<(Found | undefined)[]> => {
    const out: (Found | undefined)[] = [];
    for (let i = 0; i < paths.length; i += 16)
      out.push(
        ...(await Promise.all(
          paths.slice(i, i + 16).map((p) => {
            let f = known.get(p);
            if (!f) known.set(p, (f = lookup(p)));
            return f;
          }),
        )),
      );
    return out;
  };

  return {
    copied,
    async query(paths) {
      const list = [...new Set(paths)].filter((p) => !store.isValid(p));
      const res = await find(list);
      return new Set(list.filter((_, i) => res[i] !== undefined));
    },
    async substitute(paths) {
      // Query the closure, then fetch dependencies first.
      const found = new Map<string, Found>();
      const missing: string[] = [];
      const requested = [...new Set(paths)];
      let frontier = requested;
      while (frontier.length > 0) {
        const batch = [...new Set(frontier)].filter((p) => !found.has(p) && !store.isValid(p));
        const results = await find(batch);
        frontier = [];
        batch.forEach((p, i) => {
          const f = results[i];
          if (!f || found.has(p)) return;
          found.set(p, f);
          for (const r of f.info.references) if (r !== p && !found.has(r) && !store.isValid(r)) frontier.push(r);
        });
      }
      const order: string[] = [];
      const state = new Map<string, 'visiting' | 'ok' | 'bad'>();
      const visit = (p: string): boolean => {
        if (store.isValid(p)) return true;
        const s = state.get(p);
        if (s !== undefined) return s !== 'bad';
        const f = found.get(p);
        if (!f) {
          state.set(p, 'bad');
          return false;
        }
        state.set(p, 'visiting');
        const ok = f.info.references.every((r) => r === p || visit(r));
        state.set(p, ok ? 'ok' : 'bad');
        if (ok) order.push(p);
        return ok;
      };
      for (const p of requested) if (!visit(p)) missing.push(p);
      // Download and verify everything (in parallel), then register in dependency order, a batch
      // per transaction: a failure anywhere leaves nothing registered.
      const staged = new Map<string, StagedPath>();
      try {
        await runInDependencyOrder(order, () => [], opts.jobs ?? DEFAULT_JOBS, async (p) => {
          if (!store.isValid(p)) staged.set(p, await fetchOne(found.get(p)!));
        });
        const ready = order.filter((p) => staged.has(p)).map((p) => staged.get(p)!);
        for (let i = 0; i < ready.length; i += REGISTER_BATCH) {
          const batch = ready.slice(i, i + REGISTER_BATCH);
          for (const s of batch) staged.delete(s.info.storePath);
          copied.push(...registerStaged(store, batch));
        }
      } finally {
        for (const s of staged.values()) s.dispose();
      }
      return missing;
    },
  };
}
