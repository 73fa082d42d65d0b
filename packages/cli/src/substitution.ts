/**
 * Substituters for `m build` and `m PROJECT /x`: which binary caches to try before building
 * (flags, makes.nix, M_SUBSTITUTERS / M_TRUSTED_PUBLIC_KEYS), and the callback realise calls
 * with a derivation's missing outputs. Messages are Nix's: `copying path '…' from '…'...`.
 */
import { MError, isMError } from '@m/core';
import { createSubstituter, parseTrustedKeys } from '@m/binary-cache';
import type { Store } from '@m/store';

export interface SubstitutionConfig {
  urls: string[];
  /** Whitespace-separated `name:base64` keys. */
  trustedPublicKeys: string;
  requireSigs: boolean;
  /** Build locally when a download fails verification (else that is an error, as Nix without --fallback). */
  fallback: boolean;
  timeoutSeconds?: number;
  /** Bearer tokens by cache URL. */
  tokens?: [string, string][];
}

export const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter((w) => w !== '');

/** Flags (when given) over the environment: M_SUBSTITUTERS, M_TRUSTED_PUBLIC_KEYS. */
export function substitutionConfig(
  flags: { substituters?: string[]; trustedPublicKeys?: string; requireSigs?: boolean; fallback?: boolean; connectTimeout?: number },
  env: NodeJS.ProcessEnv,
): SubstitutionConfig {
  return {
    urls: flags.substituters ?? words(env.M_SUBSTITUTERS),
    trustedPublicKeys: flags.trustedPublicKeys ?? env.M_TRUSTED_PUBLIC_KEYS ?? '',
    requireSigs: flags.requireSigs ?? true,
    fallback: flags.fallback ?? false,
    timeoutSeconds: flags.connectTimeout,
  };
}

/** realise's `substitute` option for `cfg`, or undefined when there are no substituters. */
export function makeSubstitute(
  store: Store,
  cfg: SubstitutionConfig,
  print: (line: string) => void,
): ((outputs: string[]) => Promise<boolean>) | undefined {
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
  return async (outputs) => {
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
}
