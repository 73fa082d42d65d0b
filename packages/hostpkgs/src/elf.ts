/**
 * Just enough ELF64 (little-endian) reading to patch host binaries: the program interpreter,
 * DT_NEEDED, DT_SONAME and DT_RUNPATH/DT_RPATH. Reads headers through a file descriptor, so
 * large libraries cost a few small reads.
 */
import * as fs from 'node:fs';

export interface ElfInfo {
  /** e_machine (62 = x86-64). */
  machine: number;
  /** PT_INTERP contents, if the object requests a program interpreter. */
  interp?: string;
  /** True when the object has a PT_DYNAMIC segment (dynamically linked). */
  dynamic: boolean;
  needed: string[];
  soname?: string;
  runpath?: string;
  rpath?: string;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  const n = fs.readSync(fd, b, 0, len, pos);
  return b.subarray(0, n);
}

function cString(fd: number, pos: number): string {
  let out = '';
  for (;;) {
    const b = readAt(fd, pos, 256);
    if (b.length === 0) return out;
    const z = b.indexOf(0);
    if (z >= 0) return out + b.toString('latin1', 0, z);
    out += b.toString('latin1');
    pos += b.length;
  }
}

/** True when the file at `p` starts with the ELF magic. */
export function isElfFile(p: string): boolean {
  const fd = fs.openSync(p, 'r');
  try {
    const b = readAt(fd, 0, 4);
    return b.length === 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
  } finally {
    fs.closeSync(fd);
  }
}

/** Dynamic-linking facts of a 64-bit little-endian ELF file; undefined for anything else. */
export function readElf(p: string): ElfInfo | undefined {
  const fd = fs.openSync(p, 'r');
  try {
    const h = readAt(fd, 0, 64);
    if (h.length < 64 || h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return undefined;
    const machine = h.readUInt16LE(18);
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    const ph = readAt(fd, phoff, phentsize * phnum);
    const loads: { vaddr: number; offset: number; filesz: number }[] = [];
    let interp: string | undefined;
    let dyn: { offset: number; size: number } | undefined;
    for (let i = 0; i < phnum && (i + 1) * phentsize <= ph.length; i++) {
      const o = i * phentsize;
      const type = ph.readUInt32LE(o);
      const offset = Number(ph.readBigUInt64LE(o + 8));
      const vaddr = Number(ph.readBigUInt64LE(o + 16));
      const filesz = Number(ph.readBigUInt64LE(o + 32));
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      else if (type === PT_INTERP) interp = readAt(fd, offset, filesz).toString('latin1').replace(/\0.*$/s, '');
      else if (type === PT_DYNAMIC) dyn = { offset, size: filesz };
    }
    const info: ElfInfo = { machine, interp, dynamic: dyn !== undefined, needed: [] };
    if (!dyn) return info;
    const d = readAt(fd, dyn.offset, dyn.size);
    const entries: [bigint, bigint][] = [];
    let strtab: number | undefined;
    for (let o = 0; o + 16 <= d.length; o += 16) {
      const tag = d.readBigInt64LE(o);
      const val = d.readBigUInt64LE(o + 8);
      if (tag === 0n) break;
      if (tag === DT_STRTAB) strtab = Number(val);
      entries.push([tag, val]);
    }
    if (strtab === undefined) return info;
    const seg = loads.find((l) => strtab! >= l.vaddr && strtab! < l.vaddr + l.filesz);
    const strOff = seg ? strtab - seg.vaddr + seg.offset : strtab;
    for (const [tag, val] of entries) {
      const s = () => cString(fd, strOff + Number(val));
      if (tag === DT_NEEDED) info.needed.push(s());
      else if (tag === DT_SONAME) info.soname = s();
      else if (tag === DT_RUNPATH) info.runpath = s();
      else if (tag === DT_RPATH) info.rpath = s();
    }
    return info;
  } finally {
    fs.closeSync(fd);
  }
}
