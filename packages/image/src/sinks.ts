/** Byte sinks the tar writers feed: hashing, counting, and chunked parallel gzip into a file. */
import { createHash, type Hash } from 'node:crypto';
import { writeSync } from 'node:fs';
import type { Compressor } from './compressors';

/** A consumer of bytes; it must hash or copy `b` before its write() settles (callers reuse the buffer). */
export interface ByteSink {
  write(b: Uint8Array): void | Promise<void>;
}

/** Uncompressed bytes per gzip member. */
export const MEMBER_SIZE = 1 << 20;

/** Writes all of `b` to `fd`, waiting while a non-blocking pipe (stdout) is full. */
export function writeAllSync(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export function teeSink(...sinks: ByteSink[]): ByteSink {
  return {
    async write(b) {
      for (const s of sinks) await s.write(b);
    },
  };
}

export interface HashingSink extends ByteSink {
  readonly hash: Hash;
  size: number;
}

export function hashingSink(): HashingSink {
  const sink: HashingSink = {
    hash: createHash('sha256'),
    size: 0,
    write(b) {
      sink.hash.update(b);
      sink.size += b.length;
    },
  };
  return sink;
}

export interface MemberStream extends ByteSink {
  /** Compresses the last partial member, waits for all members and returns the bytes written. */
  end(): Promise<{ compressedSize: number; members: number }>;
}

/**
 * Splits its input into pool.memberSize pieces, compresses them on the pool and appends the
 * members, in input order, to the open file `fd`. At most 4 × pool.threads members are in flight,
 * so memory stays bounded whatever the input size.
 */
export function memberStream(pool: Compressor, fd: number): MemberStream {
  const MEMBER_SIZE = pool.memberSize;
  let chunk = pool.buffer(MEMBER_SIZE);
  let fill = 0;
  const pending: Promise<Buffer>[] = [];
  const maxInFlight = 4 * pool.threads;
  let compressedSize = 0;
  let members = 0;

  const drainOne = async (): Promise<void> => {
    const out = await pending.shift()!;
    writeSync(fd, out);
    compressedSize += out.length;
    members++;
  };
  const submit = async (data: Uint8Array): Promise<void> => {
    pending.push(pool.compress(data));
    while (pending.length >= maxInFlight) await drainOne();
  };

  return {
    async write(b) {
      let off = 0;
      while (off < b.length) {
        const n = Math.min(b.length - off, MEMBER_SIZE - fill);
        chunk.set(b.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === MEMBER_SIZE) {
          const full = chunk;
          chunk = pool.buffer(MEMBER_SIZE);
          fill = 0;
          await submit(full);
        }
      }
    },
    async end() {
      if (fill > 0) {
        const last = pool.buffer(fill);
        chunk.copy(last, 0, 0, fill);
        fill = 0;
        await submit(last);
      }
      while (pending.length > 0) await drainOne();
      return { compressedSize, members };
    },
  };
}
