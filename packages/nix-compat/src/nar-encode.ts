/** Streaming NAR (Nix ARchive) serialisation, byte-identical to `nix-store --dump`. */
import { MError } from '@m/core';
import { compareUtf8, utf8 } from './bytes';
import { type Hash, createHashSink } from './hash';
import type { NarSource } from './nar-source';

export const NAR_MAGIC = 'nix-archive-1';

const FLUSH_AT = 64 * 1024;
const ZEROS = new Uint8Array(8);

function u64le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** Buffers the small framing tokens so consumers see few, reasonably sized chunks. */
function createFramer() {
  let parts: Uint8Array[] = [];
  let pending = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    pending += b.length;
  };
  return {
    /** A length-prefixed, zero-padded string token. */
    str(s: string | Uint8Array): void {
      const b = typeof s === 'string' ? utf8(s) : s;
      push(u64le(b.length));
      push(b);
      if (b.length % 8) push(ZEROS.subarray(0, 8 - (b.length % 8)));
    },
    raw: push,
    full: (): boolean => pending >= FLUSH_AT,
    take(): Uint8Array | undefined {
      if (pending === 0) return undefined;
      const out = new Uint8Array(pending);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      parts = [];
      pending = 0;
      return out;
    },
  };
}

/** Yields the NAR serialisation of `root` (a path understood by `fs`) as chunks. */
export function* narEncode(root: string, fs: NarSource): Generator<Uint8Array, void, undefined> {
  const f = createFramer();
  f.str(NAR_MAGIC);

  function* node(path: string): Generator<Uint8Array, void, undefined> {
    const st = fs.lstat(path);
    f.str('(');
    f.str('type');
    if (st.type === 'regular') {
      f.str('regular');
      if (st.executable) {
        f.str('executable');
        f.str('');
      }
      f.str('contents');
      f.raw(u64le(st.size));
      let written = 0;
      for (const chunk of fs.readChunks(path)) {
        if (chunk.length === 0) continue;
        written += chunk.length;
        if (written > st.size) break;
        const head = f.take();
        if (head) yield head;
        yield chunk;
      }
      if (written !== st.size) throw new MError('IO_ERROR', `file '${path}' changed size while being archived`);
      if (st.size % 8) f.raw(ZEROS.subarray(0, 8 - (st.size % 8)));
    } else if (st.type === 'symlink') {
      f.str('symlink');
      f.str('target');
      f.str(fs.readlink(path));
    } else if (st.type === 'directory') {
      f.str('directory');
      for (const name of [...fs.readdir(path)].sort(compareUtf8)) {
        f.str('entry');
        f.str('(');
        f.str('name');
        f.str(name);
        f.str('node');
        yield* node(`${path}/${name}`);
        f.str(')');
      }
    } else {
      throw new MError('IO_ERROR', `file '${path}' has an unsupported type`);
    }
    f.str(')');
    if (f.full()) yield f.take()!;
  }

  yield* node(root);
  const tail = f.take();
  if (tail) yield tail;
}

/** sha256 NAR hash and NAR size of `root` (what `nix-hash --type sha256 <path>` prints, and narSize). */
export function narHash(root: string, fs: NarSource): { hash: Hash; narSize: number } {
  const sink = createHashSink('sha256');
  for (const chunk of narEncode(root, fs)) sink.update(chunk);
  const { hash, size } = sink.finish();
  return { hash, narSize: size };
}
