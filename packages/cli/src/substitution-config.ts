/**
 * Which substituters to use (flags over M_SUBSTITUTERS / M_TRUSTED_PUBLIC_KEYS): plain data, kept
 * apart from substitution.ts so that the main thread (build-command.ts) does not load the binary
 * cache client, realise and the evaluator just to read its flags.
 */
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
