/**
 * Nix's ed25519 signing keys and detached signatures (libstore crypto.cc): a secret key is
 * `name:base64(64 bytes: seed ‖ public key)`, a public key `name:base64(32 bytes)`, a signature
 * `name:base64(64 bytes)`. Node's crypto does the ed25519 arithmetic (keys imported as JWK).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { MError } from '@m/core';
import { base64Decode, base64Encode } from './encoding';

export interface SecretKey {
  name: string;
  /** 32-byte seed. */
  seed: Uint8Array;
  /** 32-byte public key. */
  publicKey: Uint8Array;
}

export interface PublicKey {
  name: string;
  key: Uint8Array;
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

function splitKey(s: string, what: string): { name: string; bytes: Uint8Array } {
  const t = s.trim();
  const colon = t.indexOf(':');
  if (colon <= 0) throw new MError('BAD_ARGUMENT', `${what} is corrupt`);
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(t.slice(colon + 1));
  } catch {
    throw new MError('BAD_ARGUMENT', `${what} is corrupt`);
  }
  return { name: t.slice(0, colon), bytes };
}

export function parseSecretKey(s: string): SecretKey {
  const { name, bytes } = splitKey(s, 'secret key');
  if (bytes.length !== 64) throw new MError('BAD_ARGUMENT', 'secret key is not valid');
  return { name, seed: bytes.slice(0, 32), publicKey: bytes.slice(32) };
}

export function parsePublicKey(s: string): PublicKey {
  const { name, bytes } = splitKey(s, 'public key');
  if (bytes.length !== 32) throw new MError('BAD_ARGUMENT', 'public key is not valid');
  return { name, key: bytes };
}

export function printSecretKey(k: SecretKey): string {
  const all = new Uint8Array(64);
  all.set(k.seed);
  all.set(k.publicKey, 32);
  return `${k.name}:${base64Encode(all)}`;
}

export function printPublicKey(k: PublicKey): string {
  return `${k.name}:${base64Encode(k.key)}`;
}

/** A fresh key pair (`nix key generate-secret --key-name NAME`). */
export function generateSecretKey(name: string): SecretKey {
  if (name === '' || name.includes(':')) throw new MError('BAD_ARGUMENT', `invalid key name '${name}'`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    name,
    seed: new Uint8Array(Buffer.from(jwk.d!, 'base64url')),
    publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')),
  };
}

export function toPublicKey(k: SecretKey): PublicKey {
  return { name: k.name, key: k.publicKey };
}

function privateKeyObject(k: SecretKey): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(k.seed), x: b64url(k.publicKey) }, format: 'jwk' });
}

/** `name:base64(signature)` of `data` (Nix's SecretKey::signDetached). */
export function signDetached(k: SecretKey, data: string): string {
  const sig = sign(null, Buffer.from(data, 'utf8'), privateKeyObject(k));
  return `${k.name}:${base64Encode(new Uint8Array(sig))}`;
}

/** Whether `sig` (`name:base64`) is a valid signature of `data` by one of `keys` with that name. */
export function verifyDetached(data: string, sig: string, keys: readonly PublicKey[]): boolean {
  const colon = sig.indexOf(':');
  if (colon <= 0) return false;
  const name = sig.slice(0, colon);
  let raw: Uint8Array;
  try {
    raw = base64Decode(sig.slice(colon + 1));
  } catch {
    return false;
  }
  if (raw.length !== 64) return false;
  for (const k of keys) {
    if (k.name !== name) continue;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(k.key) }, format: 'jwk' });
    if (verify(null, Buffer.from(data, 'utf8'), key, raw)) return true;
  }
  return false;
}
