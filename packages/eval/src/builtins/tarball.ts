/**
 * Unpacking tarballs for fetchTarball of local `file://` URLs: plain or gzip-compressed tar
 * (ustar, GNU long names, pax `path`/`linkpath`) into an in-memory NarTree, and writing such a
 * tree into a scratch directory. Members that would escape the top (absolute or `..`) are
 * refused, as libarchive's secure extraction does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MError } from '@m/core';
import type { NarTree } from '@m/nix-compat';

type Dir = NarTree & { type: 'directory'; entries: Map<string, NarTree> };

function mkDir(): Dir {
  return { type: 'directory', entries: new Map() };
}

const decoder = new TextDecoder();

function field(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return decoder.decode(b.subarray(off, end));
}

function octal(b: Uint8Array, off: number, len: number): number {
  if (b[off]! & 0x80) {
    // base-256 (GNU) for large values
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = field(b, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** `key=value` records of a pax extended header. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(decoder.decode(data.subarray(i, sp)), 10);
    if (!(len > 0)) break;
    const rec = decoder.decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** The decompressed tar bytes, or undefined for a compression m cannot read. */
function decompress(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return new Uint8Array(gunzipSync(bytes));
  if (bytes.length >= 263 && field(bytes, 257, 5) === 'ustar') return bytes;
  if (bytes.length >= 512 && bytes.subarray(0, 512).every((x) => x === 0)) return bytes;
  return undefined;
}

function splitMember(name: string, url: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || parts.includes('..')) {
    throw new MError('EVAL_ERROR', `tarball '${url}' contains the unsafe member '${name}'`);
  }
  return parts;
}

/**
 * The members of a tarball as a directory tree (its top level is the directory the tarball
 * unpacks into). Throws NOT_AVAILABLE for compressions other than gzip.
 */
export function unpackTarball(bytes: Uint8Array, url: string): Dir {
  const tar = decompress(bytes);
  if (tar === undefined) {
    throw new MError('NOT_AVAILABLE', `fetchTarball is not available offline: cannot unpack '${url}' (only plain and gzip-compressed tarballs are supported)`);
  }
  const root = mkDir();
  const dirAt = (parts: string[]): Dir => {
    let d = root;
    for (const p of parts) {
      const c = d.entries.get(p);
      if (c !== undefined && c.type === 'directory') d = c as Dir;
      else {
        const fresh = mkDir();
        d.entries.set(p, fresh);
        d = fresh;
      }
    }
    return d;
  };
  const lookup = (parts: string[]): NarTree | undefined => {
    let t: NarTree | undefined = root;
    for (const p of parts) {
      if (t === undefined || t.type !== 'directory') return undefined;
      t = (t as Dir).entries.get(p);
    }
    return t;
  };
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === 'K') {
      longLink = field(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(h, 345, 155);
    const ustarName = field(h, 257, 5) === 'ustar' && prefix !== '' ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const name = pax.get('path') ?? longName ?? ustarName;
    const link = pax.get('linkpath') ?? longLink ?? field(h, 157, 100);
    longName = longLink = undefined;
    pax = new Map();
    const parts = splitMember(name, url);
    if (parts.length === 0) continue;
    const parent = dirAt(parts.slice(0, -1));
    const base = parts[parts.length - 1]!;
    const mode = octal(h, 100, 8);
    if (type === '5') dirAt(parts);
    else if (type === '2') parent.entries.set(base, { type: 'symlink', target: link });
    else if (type === '1') {
      const target = lookup(splitMember(link, url));
      if (target !== undefined && target.type === 'regular') parent.entries.set(base, { ...target });
    } else if (type === '0' || type === '\0' || type === '7') {
      parent.entries.set(base, { type: 'regular', executable: (mode & 0o100) !== 0, contents: data.slice() });
    }
    // Device nodes and FIFOs are skipped.
  }
  return root;
}

function writeTree(t: NarTree, to: string): void {
  if (t.type === 'directory') {
    fs.mkdirSync(to);
    const entries = t.entries instanceof Map ? t.entries : new Map(Object.entries(t.entries));
    for (const [n, c] of entries) writeTree(c, nodePath.join(to, n));
  } else if (t.type === 'symlink') fs.symlinkSync(t.target, to);
  else fs.writeFileSync(to, t.contents, { mode: t.executable ? 0o755 : 0o644 });
}

/** Writes `tree` into a fresh scratch directory, runs `fn` on its path, and removes it. */
export function withTreeOnDisk<T>(tree: NarTree, fn: (path: string) => T): T {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'm-tarball-'));
  try {
    const p = nodePath.join(tmp, 'unpacked');
    writeTree(tree, p);
    return fn(p);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
