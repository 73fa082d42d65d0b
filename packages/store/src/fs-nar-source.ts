/** `NarNode` adapter for real files (node:fs, synchronous, streaming file contents). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import { type Hash, type NarSource, fromUtf8, fsPathBytes, narHash } from '@m/nix-compat';

/** Type names as builtins.path / filterSource pass them to the filter. */
export type FsEntryType = 'regular' | 'directory' | 'symlink' | 'unknown';

/** Decides whether an entry (absolute source path, type) is included; the root is always included. */
export type PathFilter = (path: string, type: FsEntryType) => boolean;

const CHUNK = 1 << 20;

/**
 * File names are byte strings (non-UTF-8 bytes kept as escaped bytes, @m/nix-compat bytes.ts):
 * `fsp` turns such a path into what node:fs needs, `readNames` lists a directory losslessly.
 */
export const fsp = fsPathBytes;
export function readNames(p: string): string[] {
  return fs.readdirSync(fsp(p), { encoding: 'buffer' }).map((n) => fromUtf8(n));
}
export function readLinkTarget(p: string): string {
  return fromUtf8(fs.readlinkSync(fsp(p), { encoding: 'buffer' }));
}

export function fsEntryType(st: fs.Stats): FsEntryType {
  if (st.isFile()) return 'regular';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'unknown';
}

export function unsupportedFileType(p: string): MError {
  return new MError('STORE_ERROR', `file '${p}' has an unsupported type`, {
    hint: 'only regular files, directories and symlinks can be put in the store',
  });
}

/** Reads a file in chunks. */
export function* readFileChunks(p: string): Generator<Uint8Array> {
  const fd = fs.openSync(fsp(p), 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.max(1, Math.min(size + 1, CHUNK));
    const buf = Buffer.allocUnsafe(len);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, len, null);
      if (n === 0) break;
      yield buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `NarSource` over real files (node:fs, synchronous, streaming contents, symlinks not followed).
 * `filter` is consulted for every entry below the root, as builtins.path does. Devices, fifos
 * and sockets are refused with MError('STORE_ERROR'). `executable` is the owner's x bit, like Nix.
 */
export function fsNarSource(filter?: PathFilter): NarSource {
  return {
    lstat(p) {
      const st = fs.lstatSync(fsp(p));
      if (st.isFile()) return { type: 'regular', executable: (st.mode & 0o100) !== 0, size: st.size };
      if (st.isDirectory()) return { type: 'directory', executable: false, size: 0 };
      if (st.isSymbolicLink()) return { type: 'symlink', executable: false, size: 0 };
      throw unsupportedFileType(p);
    },
    readChunks: readFileChunks,
    readdir(p) {
      const names = readNames(p);
      if (!filter) return names;
      return names.filter((name) => {
        const child = path.join(p, name);
        return filter(child, fsEntryType(fs.lstatSync(fsp(child))));
      });
    },
    readlink: readLinkTarget,
  };
}

/** sha256 NAR hash and NAR size of the file tree at `p`. */
export function hashPath(p: string, filter?: PathFilter): { hash: Hash; narSize: number } {
  return narHash(p, fsNarSource(filter));
}
