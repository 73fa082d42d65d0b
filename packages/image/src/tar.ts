/**
 * Reproducible POSIX tar (ustar + pax) headers. Every entry has mtime 1, zero device numbers and,
 * unless the entry says otherwise (perms, fake-root ownership), uid/gid 0 and empty uname/gname.
 * Names longer than ustar allows (after trying the 155-byte prefix split), long link targets and
 * sizes ≥ 8 GiB go into a preceding pax 'x' header, whose own name is the fixed relative "PaxHeader". Names are relative and never contain '..'; callers
 * guarantee it and `tarEntryHeader` checks it. Names and link targets are byte strings
 * (nix-compat's surrogateescape form): non-UTF-8 bytes are written as the raw bytes.
 */
import { MError } from '@m/core';
import { utf8 } from '@m/nix-compat';

export const BLOCK = 512;
export const TAR_MTIME = 1;
/** The end-of-archive marker: two zero blocks. */
export const TAR_TRAILER = Buffer.alloc(2 * BLOCK);

export type TarEntryType = 'file' | 'directory' | 'symlink';

export interface TarEntry {
  /** Relative path; directories without trailing slash (added here). */
  name: string;
  type: TarEntryType;
  mode: number;
  size?: number;
  linkname?: string;
  /** Owner (default 0 / 0, empty names). */
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}

const TYPEFLAG: Record<TarEntryType, string> = { file: '0', directory: '5', symlink: '2' };
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

const MAX_ID = 0o7777777;

function checkOwner(e: TarEntry): void {
  for (const id of [e.uid, e.gid])
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id > MAX_ID))
      throw new MError('BAD_ARGUMENT', `the owner id ${id} of '${e.name}' does not fit a tar header (0 to ${MAX_ID})`);
  for (const n of [e.uname, e.gname])
    if (n !== undefined && (Buffer.byteLength(n) > 31 || n.includes('\0')))
      throw new MError('BAD_ARGUMENT', `the owner name '${n}' of '${e.name}' does not fit a tar header (at most 31 bytes)`);
  if (!Number.isInteger(e.mode) || e.mode < 0 || e.mode > 0o7777)
    throw new MError('BAD_ARGUMENT', `the mode ${e.mode.toString(8)} of '${e.name}' is not a permission mode (0 to 7777 octal)`);
}

function checkName(name: string): void {
  const parts = name.split('/');
  if (name === '' || name.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '') || name.includes('\0'))
    throw new MError('INTERNAL', `refusing to write the tar member name '${name}'`);
}

const bytesOf = (s: string): Buffer => {
  const u = utf8(s);
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
};

function writeString(buf: Buffer, offset: number, len: number, s: string | Buffer): void {
  const b = typeof s === 'string' ? bytesOf(s) : s;
  if (b.length > len) throw new MError('INTERNAL', `tar field overflow (${b.length} > ${len})`);
  b.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, len: number, n: number): void {
  writeString(buf, offset, len, n.toString(8).padStart(len - 1, '0') + '\0');
}

function ustarHeader(fields: {
  name: Buffer;
  prefix: Buffer;
  mode: number;
  size: number;
  typeflag: string;
  linkname: Buffer;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeString(h, 0, 100, fields.name);
  writeOctal(h, 100, 8, fields.mode);
  writeOctal(h, 108, 8, fields.uid ?? 0);
  writeOctal(h, 116, 8, fields.gid ?? 0);
  writeOctal(h, 124, 12, fields.size);
  writeOctal(h, 136, 12, TAR_MTIME);
  h.fill(0x20, 148, 156);
  writeString(h, 156, 1, fields.typeflag);
  writeString(h, 157, 100, fields.linkname);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  if (fields.uname) writeString(h, 265, 32, fields.uname);
  if (fields.gname) writeString(h, 297, 32, fields.gname);
  writeOctal(h, 329, 8, 0);
  writeOctal(h, 337, 8, 0);
  writeString(h, 345, 155, fields.prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  const bodyLen = body.length;
  let len = bodyLen + String(bodyLen).length;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** Splits a name into ustar (prefix, name) or returns undefined when it does not fit. */
function splitUstarName(name: Buffer): { prefix: Buffer; name: Buffer } | undefined {
  if (name.length <= 100) return { prefix: Buffer.alloc(0), name };
  // The rightmost usable slash gives the shortest name part; a trailing slash stays in the name.
  for (let i = name.length - 2; i > 0; i--) {
    if (name[i] !== 0x2f || i > 155) continue;
    if (name.length - i - 1 > 100) return undefined;
    return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
  }
  return undefined;
}

function padTo(buf: Buffer): Buffer {
  const rem = buf.length % BLOCK;
  return rem === 0 ? buf : Buffer.concat([buf, Buffer.alloc(BLOCK - rem)]);
}

/** The header block(s) of one entry (a pax header first when needed); file data follows it. */
export function tarEntryHeader(e: TarEntry): Buffer {
  checkName(e.name);
  checkOwner(e);
  const fullName = bytesOf(e.type === 'directory' ? `${e.name}/` : e.name);
  const size = e.type === 'file' ? (e.size ?? 0) : 0;
  const link = bytesOf(e.linkname ?? '');
  const pax: Buffer[] = [];
  let split = splitUstarName(fullName);
  if (split === undefined) {
    pax.push(paxRecord('path', fullName));
    split = { prefix: Buffer.alloc(0), name: fullName.subarray(0, 100) };
  }
  let linkField = link;
  if (link.length > 100) {
    pax.push(paxRecord('linkpath', link));
    linkField = link.subarray(0, 100);
  }
  let sizeField = size;
  if (size > MAX_OCTAL_SIZE) {
    pax.push(paxRecord('size', Buffer.from(String(size))));
    sizeField = 0;
  }
  const main = ustarHeader({
    name: split.name,
    prefix: split.prefix,
    mode: e.mode,
    size: sizeField,
    typeflag: TYPEFLAG[e.type],
    linkname: linkField,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
  });
  if (pax.length === 0) return main;
  const paxBody = Buffer.concat(pax);
  const paxHeader = ustarHeader({
    name: Buffer.from('PaxHeader'),
    prefix: Buffer.alloc(0),
    mode: 0o644,
    size: paxBody.length,
    typeflag: 'x',
    linkname: Buffer.alloc(0),
  });
  return Buffer.concat([paxHeader, padTo(paxBody), main]);
}

/** Zero bytes completing `size` bytes of file data to a whole block. */
export function tarPadding(size: number): Buffer {
  const rem = size % BLOCK;
  return rem === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rem);
}

/** A complete in-memory entry: header, data, padding. */
export function tarFileEntry(name: string, data: Buffer, mode = 0o444): Buffer {
  return Buffer.concat([tarEntryHeader({ name, type: 'file', mode, size: data.length }), data, tarPadding(data.length)]);
}
