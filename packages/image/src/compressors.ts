/**
 * The outer archive's compression: `gzip` (the default; parallel gzip members, gzip-pool.ts),
 * `zstd` (independent zstd frames: pieces of 256 KiB and more from the Debian `zstd` tool, level 3,
 * one thread per frame, run by the same worker pool and long-lived shells as libdeflate-gzip, one
 * frame per core at a time; smaller pieces as frames of raw blocks written
 * here, which costs no process; concatenated frames are one valid zstd stream) or `none` (a plain
 * tar).
 * Every kind compresses fixed-size pieces independently, so cached pieces are reused verbatim
 * (layer-cache.ts) and the output is the same whatever the number of threads.
 */
import { availableParallelism } from 'node:os';
import { MError } from '@m/core';
import { createGzipPool } from './gzip-pool';

export type Compression = 'gzip' | 'zstd' | 'none';
export const COMPRESSIONS: readonly Compression[] = ['gzip', 'zstd', 'none'];

export interface Compressor {
  readonly kind: Compression;
  readonly threads: number;
  /** Uncompressed bytes per independent member/frame. */
  readonly memberSize: number;
  /** Compresses `data` as one member; `data`'s buffer may be transferred (unusable afterwards). */
  compress(data: Uint8Array): Promise<Buffer>;
  /** A buffer of `size` bytes to fill and pass to compress (gzip: one the workers gave back, when there is one). */
  buffer(size: number): Buffer;
  close(): Promise<void>;
}

const newBuffer = (size: number): Buffer => Buffer.allocUnsafeSlow(size);

export const ZSTD_LEVEL = 3;

export function checkCompression(v: unknown): Compression {
  if (typeof v === 'string' && (COMPRESSIONS as readonly string[]).includes(v)) return v as Compression;
  throw new MError('BAD_ARGUMENT', `makeContainerImage: compression must be one of ${COMPRESSIONS.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(v)}`);
}

/** The archive's file name suffix for a compression. */
export const archiveSuffix = (c: Compression): string => (c === 'gzip' ? '.tar.gz' : c === 'zstd' ? '.tar.zst' : '.tar');

/** Below this size a piece becomes a frame of raw (stored) blocks instead of a zstd run. */
const ZSTD_RAW_BELOW = 256 << 10;
const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_MAX = 128 << 10;

/** A zstd frame (RFC 8878) holding `data` in raw blocks: single segment, 8-byte content size, no checksum. */
export function zstdRawFrame(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / ZSTD_BLOCK_MAX));
  const out = Buffer.alloc(4 + 1 + 8 + blocks * 3 + data.length);
  out.writeUInt32LE(ZSTD_MAGIC, 0);
  out[4] = 0b1110_0000; // Frame_Content_Size_flag 3 (8 bytes), Single_Segment_flag
  out.writeBigUInt64LE(BigInt(data.length), 5);
  let o = 13;
  for (let b = 0; b < blocks; b++) {
    const start = b * ZSTD_BLOCK_MAX;
    const size = Math.min(ZSTD_BLOCK_MAX, data.length - start);
    const header = (size << 3) | (0 << 1) | (b === blocks - 1 ? 1 : 0);
    out[o] = header & 0xff;
    out[o + 1] = (header >> 8) & 0xff;
    out[o + 2] = (header >> 16) & 0xff;
    o += 3;
    out.set(data.subarray(start, start + size), o);
    o += size;
  }
  return out;
}

function createZstdPool(threads: number): Compressor {
  const pool = createGzipPool({ threads, level: ZSTD_LEVEL, tool: 'zstd' });
  return {
    kind: 'zstd',
    threads: pool.threads,
    memberSize: 16 << 20,
    buffer: (n) => pool.buffer(n),
    compress(data) {
      if (data.length < ZSTD_RAW_BELOW) return Promise.resolve(zstdRawFrame(data));
      return pool.compress(data);
    },
    close: () => pool.close(),
  };
}

export function createCompressor(kind: Compression, opts: { threads?: number } = {}): Compressor {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  if (kind === 'zstd') return createZstdPool(threads);
  if (kind === 'none')
    return { kind, threads, memberSize: 1 << 20, buffer: newBuffer, compress: async (d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength), async close() {} };
  const pool = createGzipPool({ threads });
  return { kind, threads: pool.threads, memberSize: 8 << 20, buffer: (n) => pool.buffer(n), compress: (d) => pool.compress(d), close: () => pool.close() };
}
