/**
 * makes' `cache` option of makes.nix (fluidattacks/makes src/evaluator/modules/cache), declared
 * with its types and defaults in nix/modules/cache.nix; this reads the evaluated `config.cache`:
 *   cache.readNixos                 read https://cache.nixos.org (m's default: false, see below)
 *   cache.extra.<name>.enable       use this cache (default false)
 *   cache.extra.<name>.url          the binary cache
 *   cache.extra.<name>.pubKey       its public key (`name:base64`), trusted for its paths
 *   cache.extra.<name>.token        NAME of the environment variable holding the write token
 *   cache.extra.<name>.type         makes knows "cachix"; m writes any other type with the plain
 *                                   binary-cache protocol (file:// or HTTP PUT)
 *   cache.extra.<name>.write        push built paths there (needs the token in the environment)
 * readNixos defaults to false in m: m's outputs are built from the host's Debian packages, which
 * cache.nixos.org never has, so asking it would only cost a round trip per derivation.
 */
import { MError } from '@m/core';
import { type Evaluator, type Lazy, type NixAttrs, type Value, isAttrs, isString, strOf } from '@m/eval';

export interface MakesCache {
  name: string;
  url: string;
  pubKey: string;
  token: string;
  type: string;
  write: boolean;
}

export interface MakesCacheConfig {
  readNixos: boolean;
  /** The enabled `cache.extra` entries, by name. */
  extra: MakesCache[];
}

export const NIXOS_CACHE = {
  url: 'https://cache.nixos.org',
  pubKey: 'cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=',
};

export const NO_CACHE: MakesCacheConfig = { readNixos: false, extra: [] };

/** Reads `config.cache` (the framework's copy of makes.nix's `cache`, default `{ }`). */
export function readCacheConfig(ev: Evaluator, cache: Value): MakesCacheConfig {
  if (!isAttrs(cache)) throw new MError('TYPE_ERROR', 'cache in makes.nix must be a set');
  const bool = (set: NixAttrs, name: string, what: string, dflt: boolean): boolean => {
    const v: Lazy | undefined = set.map.get(name);
    if (v === undefined) return dflt;
    const b = ev.force(v);
    if (typeof b !== 'boolean') throw new MError('TYPE_ERROR', `${what} in makes.nix must be a Boolean`);
    return b;
  };
  const str = (set: NixAttrs, name: string, what: string, dflt?: string): string => {
    const v: Lazy | undefined = set.map.get(name);
    if (v === undefined) {
      if (dflt !== undefined) return dflt;
      throw new MError('MISSING_ATTR', `${what} is missing in makes.nix`);
    }
    const s = ev.force(v);
    if (!isString(s)) throw new MError('TYPE_ERROR', `${what} in makes.nix must be a string`);
    return strOf(s);
  };
  const res: MakesCacheConfig = { readNixos: bool(cache, 'readNixos', 'cache.readNixos', false), extra: [] };
  const extraV = cache.map.get('extra');
  if (extraV === undefined) return res;
  const extra = ev.force(extraV);
  if (!isAttrs(extra)) throw new MError('TYPE_ERROR', 'cache.extra in makes.nix must be a set');
  for (const name of [...extra.map.keys()].sort()) {
    const e = ev.force(extra.map.get(name)!);
    const at = `cache.extra.${name}`;
    if (!isAttrs(e)) throw new MError('TYPE_ERROR', `${at} in makes.nix must be a set`);
    if (!bool(e, 'enable', `${at}.enable`, false)) continue;
    res.extra.push({
      name,
      url: str(e, 'url', `${at}.url`),
      pubKey: str(e, 'pubKey', `${at}.pubKey`, ''),
      token: str(e, 'token', `${at}.token`, ''),
      type: str(e, 'type', `${at}.type`),
      write: bool(e, 'write', `${at}.write`, false),
    });
  }
  return res;
}
