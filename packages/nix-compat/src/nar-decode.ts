/** Validating NAR parser: yields one entry per file-system object, rejecting malformed or hostile archives. */
import { MError } from '@m/core';
import { concatBytes } from './bytes';
import { NAR_MAGIC } from './nar-encode';

export type NarEntry =
  | { type: 'directory'; path: string }
  | { type: 'regular'; path: string; executable: boolean; contents: Uint8Array }
  | { type: 'symlink'; path: string; target: string };

/** Longest token other than file contents (names, symlink targets, keywords). */
const MAX_TOKEN = 64 * 1024;
const MAX_DEPTH = 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function bad(msg: string): MError {
  return new MError('STORE_ERROR', `bad archive: ${msg}`);
}

function createReader(chunks: Iterable<Uint8Array>) {
  const it = chunks[Symbol.iterator]();
  let buf: Uint8Array = new Uint8Array(0);
  let off = 0;
  let done = false;

  /** Ensures at least `n` unread bytes are buffered (n small); false at end of input. */
  const fill = (n: number): boolean => {
    while (buf.length - off < n) {
      if (done) return false;
      const r = it.next();
      if (r.done) {
        done = true;
        return false;
      }
      buf = off < buf.length ? concatBytes([buf.subarray(off), r.value]) : r.value;
      off = 0;
    }
    return true;
  };
  const take = (n: number): Uint8Array => {
    if (!fill(n)) throw bad('unexpected end of archive');
    const out = buf.subarray(off, off + n);
    off += n;
    return out;
  };
  const u64 = (): number => {
    const b = take(8);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('length field too large');
    return Number(v);
  };
  const padding = (len: number): void => {
    if (len % 8 === 0) return;
    for (const z of take(8 - (len % 8))) if (z !== 0) throw bad('non-zero padding');
  };
  /** A string token as raw bytes. */
  const tokenBytes = (): Uint8Array => {
    const len = u64();
    if (len > MAX_TOKEN) throw bad('string is too long');
    const b = take(len).slice();
    padding(len);
    return b;
  };
  const token = (): string => {
    try {
      return strictUtf8.decode(tokenBytes());
    } catch (e) {
      if (e instanceof MError) throw e;
      throw bad('string is not valid UTF-8');
    }
  };
  /** File contents of `len` bytes, consumed in whatever pieces arrive. */
  const contents = (len: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    let left = len;
    while (left > 0) {
      if (!fill(1)) throw bad('unexpected end of archive');
      const n = Math.min(left, buf.length - off);
      parts.push(buf.slice(off, off + n));
      off += n;
      left -= n;
    }
    padding(len);
    return concatBytes(parts);
  };
  const atEnd = (): boolean => !fill(1);
  return { u64, token, tokenBytes, contents, atEnd };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Parses a NAR. Entries come in archive order (a directory before its contents); paths are ""
 * for the root and "/a/b" below it. Throws MError('STORE_ERROR', "bad archive: …") or Nix's
 * "NAR contains invalid file name" / "NAR directory is not sorted" on malformed input,
 * including trailing bytes after the root node.
 */
export function* narDecode(chunks: Iterable<Uint8Array>): Generator<NarEntry, void, undefined> {
  const r = createReader(chunks);
  let magic: string | undefined;
  try {
    magic = r.token();
  } catch {
    magic = undefined;
  }
  if (magic !== NAR_MAGIC) throw bad("input doesn't look like a Nix archive");

  function* node(path: string, depth: number): Generator<NarEntry, void, undefined> {
    if (depth > MAX_DEPTH) throw bad('directory nesting too deep');
    if (r.token() !== '(') throw bad('expected open tag');
    if (r.token() !== 'type') throw bad('expected type field');
    const type = r.token();
    if (type === 'regular') {
      let executable = false;
      let data: Uint8Array | undefined;
      for (;;) {
        const t = r.token();
        if (t === ')') break;
        if (t === 'executable' && !executable && !data) {
          if (r.token() !== '') throw bad('executable marker has non-empty value');
          executable = true;
        } else if (t === 'contents' && !data) {
          data = r.contents(r.u64());
        } else throw bad(`unknown field ${t}`);
      }
      yield { type: 'regular', path, executable, contents: data ?? new Uint8Array(0) };
    } else if (type === 'symlink') {
      if (r.token() !== 'target') throw bad('expected target field');
      const target = r.token();
      if (r.token() !== ')') throw bad('expected close tag');
      yield { type: 'symlink', path, target };
    } else if (type === 'directory') {
      yield { type: 'directory', path };
      let prev: Uint8Array | undefined;
      for (;;) {
        const t = r.token();
        if (t === ')') break;
        if (t !== 'entry') throw bad(`unknown field ${t}`);
        if (r.token() !== '(') throw bad('expected open tag');
        if (r.token() !== 'name') throw bad('entry name missing');
        const raw = r.tokenBytes();
        let name: string;
        try {
          name = strictUtf8.decode(raw);
        } catch {
          throw new MError('STORE_ERROR', 'NAR contains a file name that is not valid UTF-8');
        }
        if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
          throw new MError('STORE_ERROR', `NAR contains invalid file name '${name}'`);
        if (prev && compareBytes(raw, prev) <= 0) throw new MError('STORE_ERROR', 'NAR directory is not sorted');
        prev = raw;
        if (r.token() !== 'node') throw bad('expected node field');
        yield* node(`${path}/${name}`, depth + 1);
        if (r.token() !== ')') throw bad('expected close tag');
      }
    } else {
      throw bad(`unknown file type ${type}`);
    }
  }

  yield* node('', 0);
  if (!r.atEnd()) throw bad('trailing data after the archive');
}

/** Validates a whole NAR, returning its entries. */
export function narDecodeAll(chunks: Iterable<Uint8Array>): NarEntry[] {
  return [...narDecode(chunks)];
}
