/**
 * Reference scanning: which of a set of store-path hash parts (32 nixbase32 characters) occur in
 * a byte stream. The scanner is fed chunks and finds hashes that straddle chunk boundaries.
 */
import { NIX_BASE32_ALPHABET, STORE_PATH_HASH_LEN, narEncode } from '@m/nix-compat';
import { fsNarSource } from './fs-nar-source';

const IS_BASE32 = new Uint8Array(256);
for (const c of NIX_BASE32_ALPHABET) IS_BASE32[c.charCodeAt(0)] = 1;

export interface RefScanner {
  feed(chunk: Uint8Array): void;
  /** The needles seen so far. */
  found(): Set<string>;
}

export function createRefScanner(needles: Iterable<string>): RefScanner {
  const pending = new Set<string>();
  for (const n of needles) if (n.length === STORE_PATH_HASH_LEN) pending.add(n);
  const seen = new Set<string>();
  const L = STORE_PATH_HASH_LEN;
  /** The last L-1 bytes fed so far (fewer at the start). */
  let tail = new Uint8Array(0);

  const search = (buf: Uint8Array): void => {
    let i = 0;
    while (i + L <= buf.length && pending.size > 0) {
      let j = L - 1;
      while (j >= 0 && IS_BASE32[buf[i + j]!]) j--;
      if (j >= 0) {
        i += j + 1;
        continue;
      }
      const s = String.fromCharCode(...buf.subarray(i, i + L));
      if (pending.delete(s)) seen.add(s);
      i++;
    }
  };

  return {
    feed(chunk) {
      if (chunk.length === 0 || pending.size === 0) return;
      // Windows that start in the tail and end in this chunk.
      const head = chunk.subarray(0, L - 1);
      const joint = new Uint8Array(tail.length + head.length);
      joint.set(tail);
      joint.set(head, tail.length);
      search(joint);
      search(chunk);
      if (chunk.length >= L - 1) tail = chunk.slice(chunk.length - (L - 1));
      else tail = joint.slice(Math.max(0, joint.length - (L - 1)));
    },
    found: () => new Set(seen),
  };
}

/**
 * The needles occurring in the NAR serialisation of the file tree at `physicalPath` (file
 * contents, symlink targets and entry names), as Nix scans outputs. A device, FIFO or socket in
 * the tree is an MError('BUILD_FAILED') naming it (as `displayPath` + the part below the root,
 * when given) and is never opened.
 */
export function scanPathForReferences(physicalPath: string, needles: Iterable<string>, displayPath?: string): Set<string> {
  const display = displayPath === undefined ? undefined : (p: string) => displayPath + p.slice(physicalPath.length);
  const scanner = createRefScanner(needles);
  for (const chunk of narEncode(physicalPath, fsNarSource(display))) scanner.feed(chunk);
  return scanner.found();
}
