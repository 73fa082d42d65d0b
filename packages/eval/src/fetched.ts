/**
 * What a fetched file becomes, with no I/O: the checks every EvalIO fetchUrl makes on downloaded
 * bytes before anything is added to the store (Nix's downloadFile / downloadTarball): the sha256
 * of the file (flat) or the NAR hash of the tarball's single top-level member (unpack).
 */
import { MError } from '@m/core';
import { hashBytes, hashEquals, narHash, printHash, treeNarSource, type Hash, type NarTree } from '@m/nix-compat';
import type { FetchUrlRequest } from './io';
import { unpackTarball } from './builtins/tarball';

export type FetchedContent = { method: 'flat'; hash: Hash } | { method: 'recursive'; hash: Hash; tree: NarTree };

export function hashMismatchError(url: string, specified: Hash, got: Hash): MError {
  return new MError(
    'EVAL_ERROR',
    `hash mismatch in file downloaded from '${url}':\n  specified: ${printHash(specified, 'base32', true)}\n  got:       ${printHash(got, 'base32', true)}`,
  );
}

/** Checks downloaded `bytes` against `req`; throws (positionless MError) on a mismatch. */
export function checkFetched(req: FetchUrlRequest, bytes: Uint8Array): FetchedContent {
  const expected: Hash | undefined = req.expectedSha256 && { type: 'sha256', bytes: req.expectedSha256 };
  if (!req.unpack) {
    const hash = hashBytes('sha256', bytes);
    if (expected && !hashEquals(hash, expected)) throw hashMismatchError(req.url, expected, hash);
    return { method: 'flat', hash };
  }
  return checkUnpacked(req, unpackTarball(bytes, req.url));
}

/**
 * The unpack check on an archive already read into a tree (`root`: its top level): the single
 * top-level member, and its NAR hash against `req`'s. For archives EvalIO reads itself (zip).
 */
export function checkUnpacked(req: FetchUrlRequest, root: NarTree & { type: 'directory' }): FetchedContent & { method: 'recursive' } {
  const expected: Hash | undefined = req.expectedSha256 && { type: 'sha256', bytes: req.expectedSha256 };
  const entries = root.entries instanceof Map ? root.entries : new Map(Object.entries(root.entries));
  if (req.keepRoot) {
    const hash = narHash('', treeNarSource(root)).hash;
    if (expected && !hashEquals(hash, expected)) throw hashMismatchError(req.url, expected, hash);
    return { method: 'recursive', hash, tree: root };
  }
  if (entries.size !== 1) {
    throw new MError('EVAL_ERROR', `tarball '${req.url}' contains an unexpected number of top-level files`);
  }
  const tree = entries.values().next().value as NarTree;
  const hash = narHash('', treeNarSource(tree)).hash;
  if (expected && !hashEquals(hash, expected)) throw hashMismatchError(req.url, expected, hash);
  return { method: 'recursive', hash, tree };
}
