/**
 * Parallel gzip: independent gzip members compressed by worker threads. Concatenated members form
 * a valid gzip stream (RFC 1952 §2.2), which gunzip, Go's compress/gzip (docker, podman, skopeo)
 * and Python read as one. Pieces of LIBDEFLATE_MIN bytes and more are compressed by Debian's
 * `libdeflate-gzip` (level 6), which the worker runs and waits for: libdeflate's deflate needs less
 * than half of zlib's CPU time for output of about zlib level 6's size (BENCHMARKS.md), and a
 * process per multi-MiB piece costs little next to that. Smaller pieces (tar headers, JSON, small
 * store paths) are compressed by zlib level 6 in the worker. Which compressor a piece gets depends
 * only on its size, so the bytes are the same whatever the number of threads. Every member's
 * header is fixed: no name, mtime 0, XFL 0, OS byte 3 (the tools' values differ: zlib's OS byte by
 * platform, libdeflate writes 255), so they are overwritten. A piece of zeros (holes of sparse
 * files, zero padding) is compressed once per pool (zlib) and its member reused, so a 1 GiB sparse
 * file costs a memcmp per piece instead of a compression run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { MError } from '@m/core';

export const GZIP_LEVEL = 6;
export const GZIP_OS_BYTE = 3;
/** Pieces at least this long go to libdeflate-gzip; smaller ones to zlib. */
export const LIBDEFLATE_MIN = 256 << 10;
/** Pieces of zeros at least this long are compressed once and their member reused. */
const ZERO_PIECE_MIN = 64 * 1024;

/** Compresses one member with zlib in the calling thread. */
export function gzipMember(data: Uint8Array, level = GZIP_LEVEL): Buffer {
  const out = gzipSync(data, { level });
  out[9] = GZIP_OS_BYTE;
  return out;
}

// In the worker: zlib for small pieces, its output buffer sized so it writes the member in one
// piece (deflateBound plus the gzip header and trailer) and handed over without a copy. Large
// pieces go through files in a private temporary directory to libdeflate-gzip, run by one small
// long-lived shell per worker: forking the shell is cheap, while forking this process for every
// piece would cost page-table copies and copy-on-write faults across its whole heap. The input's
// buffer goes back to the pool for reuse.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { gzipSync } = require('node:zlib');
let sh;
let answers = [];
const waiting = [];
const shell = () => {
  if (sh !== undefined) return sh;
  sh = spawn('sh', ['-c', 'while read -r i o; do ' + workerData.tool + ' -' + workerData.level + ' -c' + (workerData.tool === 'zstd' ? ' -q -T1' : '') + ' -- "$i" > "$o" 2>"$o.err"; echo $?; done'], { cwd: workerData.dir, stdio: ['pipe', 'pipe', 'ignore'] });
  sh.unref();
  sh.stdout.setEncoding('utf8');
  let part = '';
  sh.stdout.on('data', (c) => {
    const lines = (part + c).split('\\n');
    part = lines.pop();
    for (const l of lines) waiting.shift()(Number(l));
  });
  sh.on('error', () => {});
  sh.on('close', () => { for (const w of waiting.splice(0)) w(-1); });
  sh.stdin.on('error', () => {});
  return sh;
};
let seq = 0;
const big = async (data) => {
  const n = seq++;
  // Names relative to the shell's working directory (the temporary directory): no spaces to quote.
  const name = workerData.index + '-' + n;
  const i = join(workerData.dir, name + '.in');
  const o = join(workerData.dir, name + '.gz');
  try {
    writeFileSync(i, data);
    const code = await new Promise((resolve) => { waiting.push(resolve); shell().stdin.write(name + '.in ' + name + '.gz\\n'); });
    if (code === 127) throw Object.assign(new Error('running ' + workerData.tool + ': not found'), { notAvailable: true });
    if (code !== 0) {
      let err = '';
      try { err = readFileSync(o + '.err', 'utf8').trim(); } catch {}
      throw new Error(workerData.tool + ' exited with ' + code + (err ? ': ' + err : ''));
    }
    return readFileSync(o);
  } finally {
    for (const f of [i, o, o + '.err']) rmSync(f, { force: true });
  }
};
const compress = (data, level) => {
  const n = data.length;
  if (workerData.tool === 'libdeflate-gzip' && n < ${LIBDEFLATE_MIN}) return gzipSync(data, { level, chunkSize: Math.max(8192, n + (n >> 12) + (n >> 14) + (n >> 25) + 64) });
  return big(data);
};
let chain = Promise.resolve();
parentPort.on('message', (m) => {
  if (m.close) {
    // The shell ends at the end of its input and is waited for here, so no zombie stays behind
    // and its children's CPU time is accounted to this process.
    chain = chain.then(() => new Promise((resolve) => {
      if (sh === undefined || sh.exitCode !== null || sh.signalCode !== null) return resolve();
      sh.on('exit', () => resolve());
      sh.stdin.end();
    })).then(() => parentPort.postMessage({ closed: true }));
    return;
  }
  chain = chain.then(async () => {
    let out;
    try {
      out = await compress(m.data, m.level);
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: e.message, notAvailable: e.notAvailable === true });
      return;
    }
    if (workerData.tool === 'libdeflate-gzip') {
      out.fill(0, 4, 9);
      out[9] = ${GZIP_OS_BYTE};
    }
    const whole = out.byteOffset === 0 && out.buffer.byteLength < 2 * out.length + 4096;
    const member = whole ? out : Uint8Array.prototype.slice.call(out);
    const back = m.data.byteOffset === 0 && m.data.byteLength === m.data.buffer.byteLength ? [m.data.buffer] : [];
    parentPort.postMessage({ id: m.id, out: member, data: back.length ? m.data : undefined }, [member.buffer, ...back]);
  });
});
`;

export interface GzipPool {
  readonly threads: number;
  /** Compresses `data` as one gzip member; `data`'s buffer is transferred (unusable afterwards). */
  compress(data: Uint8Array): Promise<Buffer>;
  /** A buffer of `size` bytes to fill and pass to compress: one a worker gave back, or a new one. */
  buffer(size: number): Buffer;
  close(): Promise<void>;
}

interface Job {
  id: number;
  data: Uint8Array;
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
}

/**
 * Jobs posted to one worker ahead of its results: a worker finds its next piece in its own message
 * queue instead of waiting for this thread to answer its last result (under load this thread may
 * not run for a while, and a worker waiting on it would idle its core).
 */
const WORKER_DEPTH = 2;
/** Buffers given back by the workers and kept for reuse. */
const SPARE_BUFFERS = 8;

/**
 * `tool: 'zstd'` runs the same pool with Debian's `zstd -q -c -T1` at `level` for every piece it is
 * given (compressors.ts keeps small pieces as raw-block frames and never sends them here), and
 * leaves the frames as zstd writes them.
 */
export function createGzipPool(opts: { threads?: number; level?: number; tmpDir?: string; tool?: 'libdeflate-gzip' | 'zstd' } = {}): GzipPool {
  const tool = opts.tool ?? 'libdeflate-gzip';
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const level = opts.level ?? GZIP_LEVEL;
  const dir = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'm-gzip-'));
  const posted = new Map<Worker, Job[]>();
  const queue: Job[] = [];
  const spare: Buffer[] = [];
  let nextId = 0;
  let failed: unknown;

  const dispatch = (): void => {
    while (queue.length > 0) {
      let w: Worker | undefined;
      let least = WORKER_DEPTH;
      for (const [x, jobs] of posted)
        if (jobs.length < least) {
          w = x;
          least = jobs.length;
        }
      if (w === undefined) return;
      const job = queue.shift()!;
      posted.get(w)!.push(job);
      const transfer = job.data.byteOffset === 0 && job.data.byteLength === job.data.buffer.byteLength;
      w.postMessage({ id: job.id, data: job.data, level }, transfer ? [job.data.buffer as ArrayBuffer] : []);
    }
  };

  const workers: Worker[] = [];
  const closed = new Map<Worker, () => void>();
  for (let i = 0; i < threads; i++) {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { dir, index: i, level, tool } });
    w.unref();
    posted.set(w, []);
    w.on('message', (m: { id: number; out?: Uint8Array; data?: Uint8Array; error?: string; notAvailable?: boolean; closed?: boolean }) => {
      if (m.closed) return closed.get(w)?.();
      const job = posted.get(w)!.shift()!;
      if (m.error !== undefined) {
        dispatch();
        job.reject(
          m.notAvailable
            ? new MError('NOT_AVAILABLE', `${m.error} for the image archive`, { hint: tool === 'zstd' ? 'install zstd (Debian package zstd)' : 'install libdeflate-gzip (Debian package libdeflate-tools)' })
            : new MError('IO_ERROR', `compressing the image archive: ${m.error}`),
        );
        return;
      }
      if (m.data !== undefined && spare.length < SPARE_BUFFERS) spare.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      dispatch();
      job.resolve(Buffer.from(m.out!.buffer, m.out!.byteOffset, m.out!.byteLength));
    });
    w.on('error', (e) => {
      failed = e;
      for (const job of posted.get(w)!.splice(0)) job.reject(e);
      for (const q of queue.splice(0)) q.reject(e);
    });
    workers.push(w);
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
    buffer(size) {
      const i = spare.findIndex((b) => b.length === size);
      return i >= 0 ? spare.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(size);
    },
    compress(data) {
      if (failed !== undefined) return Promise.reject(failed);
      if (tool === 'libdeflate-gzip' && isZeroPiece(data)) return Promise.resolve(zeros!.member);
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ id: nextId++, data, resolve, reject });
        dispatch();
      });
    },
    async close() {
      // Each worker's shell is ended and waited for (a second at most), then the workers stop.
      await Promise.all(
        workers.map((w) =>
          failed !== undefined
            ? undefined
            : new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, 1000);
                closed.set(w, () => {
                  clearTimeout(timer);
                  resolve();
                });
                w.postMessage({ close: true });
              }),
        ),
      );
      await Promise.all(workers.map((w) => w.terminate()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
