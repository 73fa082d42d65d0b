/** builtins.hashString: hex digests with node:crypto (md5, sha1, sha256, sha512, as Nix 2.8). */
import { createHash } from 'node:crypto';
import { MError } from '@m/core';
import { utf8 } from '@m/nix-compat';

export type NixHashType = 'md5' | 'sha1' | 'sha256' | 'sha512';

export function isNixHashType(t: string): t is NixHashType {
  return t === 'md5' || t === 'sha1' || t === 'sha256' || t === 'sha512';
}

/** Lower-case hex digest of the UTF-8 bytes of `s` (or of raw bytes). */
export function hashString(type: string, s: string | Uint8Array): string {
  if (!isNixHashType(type)) throw new MError('EVAL_ERROR', `unknown hash algorithm '${type}'`);
  const h = createHash(type);
  h.update(typeof s === 'string' ? utf8(s) : s);
  return h.digest('hex');
}
