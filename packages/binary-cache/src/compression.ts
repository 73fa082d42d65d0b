/**
 * NAR compression as binary caches use it: `xz`, `zstd` and `none`. Node 20's zlib has neither
 * xz nor zstd, and starting a tool per store path costs 20–60 ms (more than the work for most
 * paths), so the common cases run in-process:
 *   decompress xz    xz-decompress (xz-embedded compiled to WebAssembly), streaming
 *   decompress zstd  fzstd (pure JavaScript), streaming
 *   compress xz      @napi-rs/lzma (native, on libuv's thread pool) for NARs up to 16 MiB;
 *                    larger ones stream through the `xz` tool
 *   compress zstd    the `zstd` tool, streaming
 * Decompression stops as soon as the output passes `limit` (the narinfo's NarSize), so a
 * hostile cache cannot fill the disk or memory with a decompression bomb. Every function hashes
 * what it reads and writes, so callers get FileHash/NarHash without a second pass.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { once } from 'node:events';
import { ReadableStream } from 'node:stream/web';
import { MError } from '@m/core';
import { type Hash, createHashSink } from '@m/nix-compat';
import { xz } from '@napi-rs/lzma';
import { Decompress as ZstdDecompress } from 'fzstd';
import { XzReadableStream } from 'xz-decompress';

export type Compression = 'xz' | 'zstd' | 'none';

export const COMPRESSIONS: readonly Compression[] = ['xz', 'zstd', 'none'];

/** NARs up to this size are xz-compressed in memory. */
const IN_MEMORY = 16 << 20;

/** File extension of a NAR compressed with `c` (`.nar.xz`). */
export function narExtension(c: Compression): string {
  return c === 'xz' ? '.nar.xz' : c === 'zstd' ? '.nar.zst' : '.nar';
}

export function parseCompression(s: string): Compression {
  if (s === 'xz' || s === 'zstd' || s === 'none') return s;
  throw new MError('BAD_ARGUMENT', `unknown compression method '${s}'`, { hint: 'm supports xz, zstd and none' });
}

const TOOLS: Record<Exclude<Compression, 'none'>, { cmd: string; args: string[] }> = {
  xz: { cmd: 'xz', args: ['-c', '-6', '-T1'] },
  zstd: { cmd: 'zstd', args: ['-c', '-q', '-3'] },
};

export interface Written {
  hash: Hash;
  size: number;
}

export interface Transcoded {
  input: Written;
  output: Written;
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A file written with back-pressure, hashing what goes in. */
function hashedFile(dest: string) {
  const sink = createHashSink('sha256');
  const file = fs.createWriteStream(dest, { mode: 0o600 });
  const closed = once(file, 'close');
  return {
    async write(b: Uint8Array): Promise<void> {
      if (b.length === 0) return;
      sink.update(b);
      if (!file.write(b)) await once(file, 'drain');
    },
    async end(): Promise<Written> {
      file.end();
      await closed;
      const r = sink.finish();
      return { hash: r.hash, size: r.size };
    },
    destroy: () => file.destroy(),
  };
}

/** Yields copies of `chunks` (sources such as readFileChunks reuse their buffer), hashing them. */
async function* counted(chunks: Chunks, sink: ReturnType<typeof createHashSink>): AsyncGenerator<Uint8Array> {
  for await (const ch of chunks) {
    sink.update(ch);
    yield Buffer.from(ch);
  }
}

function finish(sink: ReturnType<typeof createHashSink>): Written {
  const r = sink.finish();
  return { hash: r.hash, size: r.size };
}

function tooBig(limit: number): MError {
  return new MError('STORE_ERROR', `NAR is larger than its NarSize (${limit} bytes)`);
}

/** Streams `chunks` through the compression tool of `c` into `out`. */
async function throughTool(c: Exclude<Compression, 'none'>, chunks: AsyncIterable<Uint8Array>, out: ReturnType<typeof hashedFile>): Promise<void> {
  const tool = TOOLS[c];
  const child = spawn(tool.cmd, tool.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res(code));
  });
  const drained = (async () => {
    for await (const d of child.stdout) await out.write(d as Buffer);
  })();
  child.stdin.on('error', () => {}); // EPIPE if the tool dies: its exit code says why
  let feedError: unknown;
  try {
    for await (const ch of chunks) if (!child.stdin.write(ch)) await once(child.stdin, 'drain');
    child.stdin.end();
  } catch (e) {
    feedError = e;
    child.stdin.destroy();
  }
  let code: number | null;
  try {
    code = await exited;
  } catch (e) {
    throw new MError('IO_ERROR', `cannot run '${tool.cmd}': ${(e as Error).message}`, {
      hint: c === 'zstd' ? "install the 'zstd' package" : "install the 'xz-utils' package",
    });
  }
  await drained;
  if (feedError) throw feedError;
  if (code !== 0) throw new MError('STORE_ERROR', `compression with ${c} failed: ${stderr.trim() || `exit code ${code}`}`);
}

/** Compresses a NAR (`chunks`) into `dest`. input = the NAR, output = the file. */
export async function compressNar(c: Compression, chunks: Iterable<Uint8Array>, dest: string): Promise<Transcoded> {
  const inSink = createHashSink('sha256');
  const out = hashedFile(dest);
  try {
    const source = counted(chunks, inSink);
    if (c === 'none') {
      for await (const ch of source) await out.write(ch);
    } else if (c === 'xz') {
      // Gather up to IN_MEMORY bytes; a NAR that fits is compressed in-process.
      const head: Uint8Array[] = [];
      let size = 0;
      let next = await source.next();
      while (!next.done && size <= IN_MEMORY) {
        head.push(next.value);
        size += next.value.length;
        next = await source.next();
      }
      if (next.done) {
        await out.write(await xz.compress(Buffer.concat(head)));
      } else {
        const first = next.value;
        const rest = async function* (): AsyncGenerator<Uint8Array> {
          yield* head;
          yield first;
          yield* source;
        };
        await throughTool('xz', rest(), out);
      }
    } else {
      await throughTool(c, source, out);
    }
  } catch (e) {
    out.destroy();
    throw e;
  }
  return { input: finish(inSink), output: await out.end() };
}

/**
 * Decompresses a downloaded file (`chunks`) into `dest`, refusing output past `limit` bytes.
 * input = the file, output = the NAR. Corrupt input is MError('STORE_ERROR').
 */
export async function decompressNar(c: Compression, chunks: AsyncIterable<Uint8Array>, dest: string, limit: number): Promise<Transcoded> {
  const inSink = createHashSink('sha256');
  const out = hashedFile(dest);
  let written = 0;
  const emit = async (b: Uint8Array): Promise<void> => {
    written += b.length;
    if (written > limit) throw tooBig(limit);
    await out.write(b);
  };
  const corrupt = (e: unknown): MError =>
    e instanceof MError ? e : new MError('STORE_ERROR', `cannot decompress the NAR (${c}): ${(e as Error).message ?? String(e)}`);
  try {
    const source = counted(chunks, inSink);
    if (c === 'none') {
      for await (const ch of source) await emit(ch);
    } else if (c === 'zstd') {
      let pending: Uint8Array[] = [];
      const d = new ZstdDecompress((data) => {
        pending.push(data.slice());
      });
      const flush = async (): Promise<void> => {
        const ready = pending;
        pending = [];
        for (const b of ready) await emit(b);
      };
      try {
        for await (const ch of source) {
          d.push(ch);
          await flush();
        }
        d.push(new Uint8Array(0), true);
        await flush();
      } catch (e) {
        throw corrupt(e);
      }
    } else {
      const input = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          const r = await source.next();
          if (r.done) ctl.close();
          else ctl.enqueue(r.value);
        },
      });
      const reader = new XzReadableStream(input as never).getReader();
      try {
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
          await emit(r.value);
        }
      } catch (e) {
        await reader.cancel().catch(() => undefined);
        throw corrupt(e);
      }
    }
  } catch (e) {
    out.destroy();
    throw e;
  }
  return { input: finish(inSink), output: await out.end() };
}
