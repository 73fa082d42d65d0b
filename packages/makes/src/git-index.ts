/**
 * A fingerprint of which paths git's index holds, for the eval cache: in a git work tree the files
 * copied into the store are the index's (git-source.ts), so the evaluation depends on that list of
 * paths — not on the stat data git refreshes in the index on `git status`, which would make every
 * such command cost a re-evaluation. Reads index versions 2 and 3 (git's default); anything else
 * (version 4's compressed paths, SHA-256 repositories, a damaged file) falls back to a hash of the
 * whole file, which is only over-cautious. Light: the CLI's main thread checks it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

const ENTRY_FIXED = 62; // stat data (40) + SHA-1 (20) + flags (2)
const EXTENDED = 0x4000;
const NAME_MASK = 0x0fff;

/**
 * Where each entry's path lies in the index `buf`: [start, end) byte offsets, two per entry; or
 * undefined when the index is not one this reader knows.
 */
function pathSpans(buf: Buffer): Uint32Array | undefined {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  const count = buf.readUInt32BE(8);
  if (count > buf.length / ENTRY_FIXED) return undefined;
  const spans = new Uint32Array(count * 2);
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_FIXED > buf.length) return undefined;
    const flags = (buf[at + 60]! << 8) | buf[at + 61]!;
    let nameAt = at + ENTRY_FIXED;
    if (flags & EXTENDED) {
      if (version < 3) return undefined;
      nameAt += 2;
    }
    const len = flags & NAME_MASK;
    // The name is NUL-terminated; its length is in the flags unless it is that long or longer.
    let end = nameAt + (len === NAME_MASK ? 0 : len);
    while (end < buf.length && buf[end] !== 0) end++;
    if (end >= buf.length || (len !== NAME_MASK && end - nameAt !== len)) return undefined;
    spans[2 * i] = nameAt;
    spans[2 * i + 1] = end;
    // The entry is NUL-padded to a multiple of eight bytes, with at least one NUL.
    at += (end - at + 8) & ~7;
  }
  // A split index ('link': entries kept in another file) or a sparse one ('sdir': directories
  // standing for their files) does not list every path here.
  for (; at + 8 <= buf.length - 20; at += 8 + buf.readUInt32BE(at + 4)) {
    const sig = buf.toString('latin1', at, at + 4);
    if (sig === 'link' || sig === 'sdir') return undefined;
  }
  return spans;
}

/** The last index read, with its spans: the CLI reads the same index for its listing and its eval cache. */
let last: { path: string; buf: Buffer; spans: Uint32Array | undefined } | undefined;

/** The bytes of the index file `p` and where its paths are (see pathSpans); undefined if unreadable. */
function readIndex(p: string): { buf: Buffer; spans: Uint32Array | undefined } | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(p);
  } catch {
    return undefined;
  }
  if (last === undefined || last.path !== p || !last.buf.equals(buf)) last = { path: p, buf, spans: pathSpans(buf) };
  return last;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The paths (relative to the work tree's top, '/'-separated) git's index file `p` holds, or
 * undefined when it cannot be read this way (missing, index version 4, split or sparse index,
 * damaged): then ask git.
 */
export function gitIndexPaths(p: string): string[] | undefined {
  const index = readIndex(p);
  if (index?.spans === undefined) return undefined;
  const { buf, spans } = index;
  // One latin1 string of the whole file, sliced per path (an ASCII path reads the same in latin1
  // and UTF-8); other paths are decoded as UTF-8.
  const text = buf.toString('latin1');
  const paths = new Array<string>(spans.length / 2);
  for (let i = 0; i < paths.length; i++) {
    const path = text.slice(spans[2 * i], spans[2 * i + 1]);
    paths[i] = NON_ASCII.test(path) ? buf.toString('utf8', spans[2 * i], spans[2 * i + 1]) : path;
  }
  return paths;
}

/** The fingerprint of the index file `p`, or null when it cannot be read. */
export function gitIndexFingerprint(p: string): string | null {
  const index = readIndex(p);
  if (index === undefined) return null;
  const { buf, spans } = index;
  const h = createHash('sha256');
  if (spans === undefined) h.update('file\0').update(buf);
  else {
    // Each path and a NUL, hashed as one run of bytes (one hash update per path costs more).
    const names = Buffer.allocUnsafe(buf.length);
    let n = 0;
    for (let i = 0; i < spans.length; i += 2) {
      for (let j = spans[i]!, end = spans[i + 1]!; j < end; j++) names[n++] = buf[j]!;
      names[n++] = 0;
    }
    h.update(names.subarray(0, n));
  }
  return h.digest('hex').slice(0, 32);
}
