/**
 * The outer archive's compression: `gzip` (the default; parallel gzip members, gzip-pool.ts),
 * `zstd` (independent zstd frames from the Debian `zstd` tool, level 3, one thread per frame,
 * several frames at once; concatenated frames are one valid zstd stream) or `none` (a plain tar).
 * Every kind compresses fixed-size pieces independently, so cached pieces are reused verbatim
 * (layer-cache.ts) and the output is the same whatever the number of threads.
 */
import { spawn } from 'node:child_process';
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
  close(): Promise<void>;
}

export const ZSTD_LEVEL = 3;

export function checkCompression(v: unknown): Compression {
  if (typeof v === 'string' && (COMPRESSIONS as readonly string[]).includes(v)) return v as Compression;
  throw new MError('BAD_ARGUMENT', `makeContainerImage: compression must be one of ${COMPRESSIONS.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(v)}`);
}

/** The archive's file name suffix for a compression. */
export const archiveSuffix = (c: Compression): string => (c === 'gzip' ? '.tar.gz' : c === 'zstd' ? '.tar.zst' : '.tar');

function zstdFrame(data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('zstd', ['-q', '-c', `-${ZSTD_LEVEL}`, '-T1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => void (err += c.toString()));
    p.on('error', (e) => reject(new MError('NOT_AVAILABLE', `running zstd for the image archive: ${e.message}`, { hint: 'install zstd (Debian package zstd)' })));
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new MError('IO_ERROR', `zstd exited with ${code}: ${err.trim()}`))));
    p.stdin.on('error', () => {});
    p.stdin.end(data);
  });
}

function createZstdPool(threads: number): Compressor {
  let running = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    while (running < threads && queue.length > 0) {
      running++;
      queue.shift()!();
    }
  };
  return {
    kind: 'zstd',
    threads,
    memberSize: 4 << 20,
    compress(data) {
      return new Promise<Buffer>((resolve, reject) => {
        queue.push(() => {
          zstdFrame(data)
            .then(resolve, reject)
            .finally(() => {
              running--;
              next();
            });
        });
        next();
      });
    },
    async close() {},
  };
}

export function createCompressor(kind: Compression, opts: { threads?: number } = {}): Compressor {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  if (kind === 'zstd') return createZstdPool(threads);
  if (kind === 'none')
    return { kind, threads, memberSize: 1 << 20, compress: async (d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength), async close() {} };
  const pool = createGzipPool({ threads });
  return { kind, threads: pool.threads, memberSize: 1 << 20, compress: (d) => pool.compress(d), close: () => pool.close() };
}
