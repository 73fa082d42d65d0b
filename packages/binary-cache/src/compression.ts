/**
 * NAR compression as binary caches use it: `xz` and `zstd` through the Debian tools of those names
 * (Node 20's zlib has neither), streamed through a subprocess; `none` is a plain copy. Every
 * function hashes what it writes, so callers get FileHash/NarHash without a second pass.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { once } from 'node:events';
import { MError } from '@m/core';
import { type Hash, createHashSink } from '@m/nix-compat';

export type Compression = 'xz' | 'zstd' | 'none';

export const COMPRESSIONS: readonly Compression[] = ['xz', 'zstd', 'none'];

/** File extension of a NAR compressed with `c` (`.nar.xz`). */
export function narExtension(c: Compression): string {
  return c === 'xz' ? '.nar.xz' : c === 'zstd' ? '.nar.zst' : '.nar';
}

export function parseCompression(s: string): Compression {
  if (s === 'xz' || s === 'zstd' || s === 'none') return s;
  throw new MError('BAD_ARGUMENT', `unknown compression method '${s}'`, { hint: 'm supports xz, zstd and none' });
}

const TOOLS: Record<Exclude<Compression, 'none'>, { cmd: string; compress: string[]; decompress: string[] }> = {
  xz: { cmd: 'xz', compress: ['-c', '-6', '-T1'], decompress: ['-d', '-c'] },
  zstd: { cmd: 'zstd', compress: ['-c', '-q', '-3'], decompress: ['-d', '-c', '-q'] },
};

export interface Written {
  hash: Hash;
  size: number;
}

async function writeAll(w: NodeJS.WritableStream, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  for await (const c of chunks) if (!w.write(c)) await once(w, 'drain');
  w.end();
}

/**
 * Writes `chunks` transformed by `mode` of `c` to `dest`, returning the sha256 and size of the
 * bytes written to `dest` and of the bytes read from `chunks`.
 */
export async function transcode(
  c: Compression,
  mode: 'compress' | 'decompress',
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  dest: string,
): Promise<{ input: Written; output: Written }> {
  const inSink = createHashSink('sha256');
  const outSink = createHashSink('sha256');
  const counted = async function* (): AsyncGenerator<Uint8Array> {
    // A copy: sources such as readFileChunks reuse their buffer, and streams keep what they are given.
    for await (const ch of chunks) {
      inSink.update(ch);
      yield Buffer.from(ch);
    }
  };
  const file = fs.createWriteStream(dest, { mode: 0o600 });
  const fileDone = once(file, 'close');
  if (c === 'none') {
    const tee = async function* (): AsyncGenerator<Uint8Array> {
      for await (const ch of counted()) {
        outSink.update(ch);
        yield ch;
      }
    };
    await writeAll(file, tee());
    await fileDone;
  } else {
    const tool = TOOLS[c];
    const child = spawn(tool.cmd, mode === 'compress' ? tool.compress : tool.decompress, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res, rej) => {
      child.on('error', rej);
      child.on('close', (code) => res(code));
    });
    child.stdout.on('data', (d: Buffer) => outSink.update(d));
    child.stdout.pipe(file);
    child.stdin.on('error', () => {}); // EPIPE when the tool gives up on bad input: its exit code says why
    let feedError: unknown;
    await writeAll(child.stdin, counted()).catch((e) => {
      feedError = e;
      child.stdin.destroy();
    });
    let code: number | null;
    try {
      code = await exited;
    } catch (e) {
      throw new MError('IO_ERROR', `cannot run '${tool.cmd}': ${(e as Error).message}`, {
        hint: c === 'zstd' ? "install the 'zstd' package" : "install the 'xz-utils' package",
      });
    }
    await fileDone;
    if (feedError) throw feedError;
    if (code !== 0)
      throw new MError('STORE_ERROR', `${mode === 'compress' ? 'compression' : 'decompression'} with ${c} failed: ${stderr.trim() || `exit code ${code}`}`);
  }
  const i = inSink.finish();
  const o = outSink.finish();
  return { input: { hash: i.hash, size: i.size }, output: { hash: o.hash, size: o.size } };
}
