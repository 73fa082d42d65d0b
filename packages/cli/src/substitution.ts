/**
 * Substituters for `m build` and `m PROJECT /x`: which binary caches to try before building
 * (flags, makes.nix, M_SUBSTITUTERS / M_TRUSTED_PUBLIC_KEYS), and the callback realise calls
 * with a derivation's missing outputs. Messages are Nix's: `copying path '…' from '…'...`.
 */
import { MError, isMError } from '@m/core';
import { createSubstituter, parseTrustedKeys } from '@m/binary-cache';
import type { Derivation } from '@m/nix-compat';
import { outputPaths, readStoreDerivation } from '@m/realise';
import type { Store } from '@m/store';

export { type SubstitutionConfig, substitutionConfig, words } from './substitution-config';
import type { SubstitutionConfig } from './substitution-config';

export interface CliSubstitution {
  /** realise's `substitute` option. */
  hook(outputs: string[]): Promise<boolean>;
  /**
   * Before realise, like Nix's queryMissing: walks the derivation graph from `drvPaths`, asking
   * the caches about each level's missing outputs in parallel and descending only into
   * derivations they cannot provide, then substitutes everything found in one parallel batch.
   */
  prefetch(drvPaths: string[]): Promise<void>;
}

/** The substituters of `cfg` for `store`, or undefined when there are none. */
export function makeSubstitution(store: Store, cfg: SubstitutionConfig, print: (line: string) => void): CliSubstitution | undefined {
  if (cfg.urls.length === 0) return undefined;
  const sub = createSubstituter({
    store,
    urls: cfg.urls,
    trustedKeys: parseTrustedKeys(cfg.trustedPublicKeys),
    checkSigs: cfg.requireSigs,
    timeoutSeconds: cfg.timeoutSeconds,
    tokens: new Map(cfg.tokens ?? []),
    onEvent: (e) => print(e.type === 'copying' ? `copying path '${e.path}' from '${e.from}'...` : `warning: ${e.message}`),
  });
  const substitute = async (outputs: string[]): Promise<boolean> => {
    try {
      return (await sub.substitute(outputs)).length === 0;
    } catch (e) {
      if (!isMError(e)) throw e;
      if (cfg.fallback) {
        print(`warning: ${e.message.split('\n')[0]}; building instead (--fallback)`);
        return false;
      }
      const fallback = "use '--fallback' to build the derivation locally instead";
      throw new MError(e.code, e.message, { hint: e.hint ? `${e.hint}; ${fallback}` : fallback, cause: e });
    }
  };
  return {
    hook: substitute,
    async prefetch(drvPaths) {
      const drvs = new Map<string, Derivation>();
      const load = (p: string): Derivation => {
        let d = drvs.get(p);
        if (!d) drvs.set(p, (d = readStoreDerivation(store, p)));
        return d;
      };
      const want: string[] = [];
      let level = [...new Set(drvPaths)];
      while (level.length > 0) {
        const missing = new Map<string, string[]>();
        for (const p of level) {
          if (drvs.has(p)) continue;
          const outs = Object.values(outputPaths(p, load(p))).filter((o) => !store.isValid(o));
          if (outs.length > 0) missing.set(p, outs);
        }
        const have = await sub.query([...missing.values()].flat());
        level = [];
        for (const [p, outs] of missing) {
          if (outs.every((o) => have.has(o))) want.push(...outs);
          else level.push(...[...load(p).inputDrvs.keys()].filter((i) => !drvs.has(i)));
        }
      }
      if (want.length > 0) await substitute(want);
    },
  };
}

/** realise's `substitute` option for `cfg`, or undefined when there are no substituters. */
export function makeSubstitute(store: Store, cfg: SubstitutionConfig, print: (line: string) => void): ((outputs: string[]) => Promise<boolean>) | undefined {
  return makeSubstitution(store, cfg, print)?.hook;
}
