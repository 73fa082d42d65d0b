/**
 * Parallel gzip: independent gzip members compressed by worker threads (zlib, one job per worker
 * at a time). Concatenated members form a valid gzip stream (RFC 1952 §2.2), which gunzip, Go's
 * compress/gzip (docker, podman, skopeo) and Python read as one. Every member's header is fixed:
 * no name, mtime 0, XFL as zlib sets it for the level, OS byte 3 (zlib's value differs by
 * platform, so it is overwritten). A piece of zeros (holes of sparse files, zero padding) is
 * compressed once per pool and its member reused: zlib is deterministic, so the bytes are those a
 * worker would produce, and a 1 GiB sparse file costs a memcmp per MiB instead of a gzip run.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';

export const GZIP_LEVEL = 6;
export const GZIP_OS_BYTE = 3;
/** Pieces of zeros at least this long are compressed once and their member reused. */
const ZERO_PIECE_MIN = 64 * 1024;

/** Compresses one member in the calling thread (small pieces, where a worker round trip costs more). */
export function gzipMember(data: Uint8Array, level = GZIP_LEVEL): Buffer {
  const out = gzipSync(data, { level });
  out[9] = GZIP_OS_BYTE;
  return out;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
parentPort.on('message', (m) => {
  const out = gzipSync(m.data, { level: m.level });
  out[9] = ${GZIP_OS_BYTE};
  const copy = new Uint8Array(out.length);
  copy.set(out);
  parentPort.postMessage({ id: m.id, out: copy }, [copy.buffer]);
});
`;

export interface GzipPool {
  readonly threads: number;
  /** Compresses `data` as one gzip member; `data`'s buffer is transferred (unusable afterwards). */
  compress(data: Uint8Array): Promise<Buffer>;
  close(): Promise<void>;
}

interface Job {
  id: number;
  data: Uint8Array;
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
}

export function createGzipPool(opts: { threads?: number; level?: number } = {}): GzipPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const level = opts.level ?? GZIP_LEVEL;
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  const queue: Job[] = [];
  let nextId = 0;
  let failed: unknown;

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const job = queue.shift()!;
      running.set(w, job);
      const transfer = job.data.byteOffset === 0 && job.data.byteLength === job.data.buffer.byteLength;
      w.postMessage({ id: job.id, data: job.data, level }, transfer ? [job.data.buffer as ArrayBuffer] : []);
    }
  };

  const workers: Worker[] = [];
  for (let i = 0; i < threads; i++) {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (m: { id: number; out: Uint8Array }) => {
      const job = running.get(w)!;
      running.delete(w);
      idle.push(w);
      job.resolve(Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength));
      dispatch();
    });
    w.on('error', (e) => {
      failed = e;
      const job = running.get(w);
      running.delete(w);
      job?.reject(e);
      for (const q of queue.splice(0)) q.reject(e);
    });
    workers.push(w);
    idle.push(w);
  }

  let zeros: { data: Buffer; member: Buffer } | undefined;
  const isZeroPiece = (data: Uint8Array): boolean => {
    if (data.length < ZERO_PIECE_MIN || data[0] !== 0 || data[data.length - 1] !== 0) return false;
    if (zeros === undefined || zeros.data.length !== data.length) {
      const probe = Buffer.alloc(data.length);
      if (Buffer.compare(probe, data) !== 0) return false;
      zeros = { data: probe, member: gzipMember(probe, level) };
      return true;
    }
    return Buffer.compare(zeros.data, data) === 0;
  };

  return {
    threads,
    compress(data) {
      if (failed !== undefined) return Promise.reject(failed);
      if (isZeroPiece(data)) return Promise.resolve(zeros!.member);
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ id: nextId++, data, resolve, reject });
        dispatch();
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
