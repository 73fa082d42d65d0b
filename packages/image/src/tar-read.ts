/**
 * A streaming reader of tar archives (ustar, pax `path`/`size`, GNU long names), enough to take an
 * image archive apart: regular files are handed to `onFile` with their data streamed in chunks;
 * other entry types are skipped. Member names are normalised (leading `./` dropped) and must be
 * relative without `..`.
 */
import { MError } from '@m/core';

export interface TarFileSink {
  write(chunk: Buffer): void;
  end(): void;
}

const BLOCK = 512;

function field(h: Buffer, off: number, len: number): string {
  const end = h.indexOf(0, off);
  return h.toString('latin1', off, end < 0 || end > off + len ? off + len : end);
}

function octal(h: Buffer, off: number, len: number): number {
  if ((h[off]! & 0x80) !== 0) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + h[i]!;
    return n;
  }
  const s = field(h, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function parsePax(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(body.toString('latin1', i, sp));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

function cleanName(raw: string): string {
  let n = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (n.startsWith('/') || n.split('/').some((p) => p === '..')) throw new MError('BAD_ARGUMENT', `image archive member '${raw}' is not a relative path`);
  n = n.replace(/\/\.\//g, '/');
  return n;
}

/** Reads a tar stream; `onFile(name, size)` returns a sink for the entry's data (or undefined to skip it). */
export async function readTar(input: AsyncIterable<Buffer>, onFile: (name: string, size: number) => TarFileSink | undefined): Promise<void> {
  type State = { kind: 'header' } | { kind: 'data'; left: number; pad: number; sink?: TarFileSink; collect?: Buffer[]; then?: (b: Buffer) => void };
  let buf: Buffer = Buffer.alloc(0);
  let state = { kind: 'header' } as State;
  let pending: { path?: string; size?: number; longName?: string } = {};
  let ended = false;

  const startEntry = (h: Buffer): void => {
    if (h.every((b) => b === 0)) {
      ended = true;
      return;
    }
    const type = String.fromCharCode(h[156]!);
    let size = octal(h, 124, 12);
    const magic = field(h, 257, 6);
    let name = field(h, 0, 100);
    if (magic === 'ustar') {
      const prefix = field(h, 345, 155);
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'x' || type === 'L') {
      const collect: Buffer[] = [];
      state = {
        kind: 'data', left: size, pad, collect,
        then: (b) => {
          if (type === 'L') pending.longName = b.toString('utf8').replace(/\0+$/, '');
          else {
            const pax = parsePax(b);
            if (pax.has('path')) pending.path = pax.get('path');
            if (pax.has('size')) pending.size = Number(pax.get('size'));
          }
        },
      };
      return;
    }
    if (type === 'g') {
      state = { kind: 'data', left: size, pad };
      return;
    }
    name = pending.path ?? pending.longName ?? name;
    if (pending.size !== undefined) size = pending.size;
    pending = {};
    const isFile = type === '0' || type === '\0' || type === '7';
    const dataSize = ['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : size;
    const sink = isFile ? onFile(cleanName(name), size) : undefined;
    state = { kind: 'data', left: dataSize, pad: (BLOCK - (dataSize % BLOCK)) % BLOCK, sink };
  };

  for await (const chunk of input) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let off = 0;
    for (;;) {
      if (ended) break;
      if ((state as State).kind === 'header') {
        if (buf.length - off < BLOCK) break;
        startEntry(buf.subarray(off, off + BLOCK));
        off += BLOCK;
        continue;
      }
      const s = state as Extract<State, { kind: 'data' }>;
      if (s.left > 0) {
        const n = Math.min(s.left, buf.length - off);
        if (n === 0) break;
        const piece = buf.subarray(off, off + n);
        if (s.sink) s.sink.write(Buffer.from(piece));
        if (s.collect) s.collect.push(Buffer.from(piece));
        s.left -= n;
        off += n;
        if (s.left > 0) break;
      }
      if (buf.length - off < s.pad) break;
      off += s.pad;
      s.sink?.end();
      if (s.then) s.then(Buffer.concat(s.collect ?? []));
      state = { kind: 'header' };
    }
    buf = buf.subarray(off);
    if (ended) break;
  }
  if (!ended && (state as State).kind === 'data') throw new MError('BAD_ARGUMENT', 'the image archive ends in the middle of an entry');
}
