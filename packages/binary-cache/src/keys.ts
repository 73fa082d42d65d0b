/** Signing keys from files and trusted-key lists, as Nix's settings spell them. */
import * as fs from 'node:fs';
import { MError } from '@m/core';
import { type PublicKey, type SecretKey, parsePublicKey, parseSecretKey } from '@m/nix-compat';

/** Reads a secret key file (`name:base64`, as `nix-store --generate-binary-cache-key` writes). */
export function readSecretKeyFile(file: string): SecretKey {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MError('IO_ERROR', `opening secret key file '${file}': ${(e as Error).message}`);
  }
  return parseSecretKey(text);
}

/** `trusted-public-keys`: whitespace-separated `name:base64` keys. */
export function parseTrustedKeys(list: string): PublicKey[] {
  return list
    .split(/\s+/)
    .filter((k) => k !== '')
    .map((k) => parsePublicKey(k));
}
