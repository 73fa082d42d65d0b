/**
 * makes' caches for `m PROJECT /x`: the readers (makes.nix `cache.readNixos` / `cache.extra`,
 * plus $M_SUBSTITUTERS) are substituters tried before building; after a build, the output's
 * closure is pushed to every enabled `cache.extra.<name>` with `write = true` whose token
 * variable (`token = "NAME"`) is set in the environment, as makes' cache_push does.
 */
import { openTransport, pushPaths, readSecretKeyFile } from '@m/binary-cache';
import { type MakesCacheConfig, NIXOS_CACHE } from '@m/makes';
import type { Store } from '@m/store';
import { type SubstitutionConfig, substitutionConfig, words } from './substitution';

export function makesSubstitution(cfg: MakesCacheConfig, env: NodeJS.ProcessEnv): SubstitutionConfig {
  const base = substitutionConfig({}, env);
  const urls = [...base.urls];
  const keys = words(base.trustedPublicKeys);
  const tokens: [string, string][] = [];
  const add = (url: string, pubKey: string, tokenVar = ''): void => {
    if (!urls.includes(url)) urls.push(url);
    if (pubKey !== '' && !keys.includes(pubKey)) keys.push(pubKey);
    const token = tokenVar === '' ? undefined : env[tokenVar];
    if (token) tokens.push([url, token]);
  };
  for (const c of cfg.extra) add(c.url, c.pubKey, c.token);
  if (cfg.readNixos) add(NIXOS_CACHE.url, NIXOS_CACHE.pubKey);
  return { ...base, urls, trustedPublicKeys: keys.join(' '), tokens };
}

/**
 * Pushes the closure of `outPath` to the writable caches; signs with $M_SECRET_KEY_FILE (or the
 * URL's `?secret-key=`) when set. Returns the number of paths uploaded.
 */
export async function pushToMakesCaches(
  store: Store,
  cfg: MakesCacheConfig,
  outPath: string,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  let uploaded = 0;
  for (const c of cfg.extra) {
    if (!c.write || c.token === '' || !env[c.token]) continue;
    if (c.type === 'cachix') {
      print(`warning: not pushing to cache '${c.name}': m writes plain binary caches (file:// or HTTP PUT), not Cachix's API`);
      continue;
    }
    const cache = openTransport(c.url, { token: env[c.token] });
    const keyFile = cache.params.get('secret-key') ?? (env.M_SECRET_KEY_FILE || undefined);
    print(`pushing '${outPath}' to cache '${c.name}' (${cache.url})`);
    const r = await pushPaths({ store, cache, paths: [outPath], secretKey: keyFile === undefined ? undefined : readSecretKeyFile(keyFile) });
    uploaded += r.copied.length;
  }
  return uploaded;
}
