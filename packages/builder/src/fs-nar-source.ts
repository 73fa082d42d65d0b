/**
 * A NarSource over a builder's outputs on the real file system. Every entry is lstat-ed before
 * anything else: symlinks are never followed, and devices, FIFOs and sockets are refused with
 * MError('BUILD_FAILED') before anything could open them (opening a FIFO blocks forever). Regular
 * files are opened with O_NOFOLLOW | O_NONBLOCK and re-checked with fstat, so an entry swapped
 * for a FIFO or a symlink after the lstat still cannot block or redirect the read.
 */
import * as fs from 'node:fs';
import { MError } from '@m/core';
import { type NarSource, fromUtf8, fsPathBytes } from '@m/nix-compat';

const CHUNK = 64 * 1024;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** `display` maps a physical path to the one named in messages (e.g. the logical store path). */
export function unsupportedFileType(p: string, display: (p: string) => string = (q) => q): MError {
  return new MError('BUILD_FAILED', `file '${display(p)}' has an unsupported type`, {
    hint: 'build outputs may contain only regular files, directories and symlinks',
  });
}

export function fsNarSource(display?: (p: string) => string): NarSource {
  return {
    lstat(p) {
      const st = fs.lstatSync(fsPathBytes(p));
      if (st.isFile()) return { type: 'regular', executable: (st.mode & 0o100) !== 0, size: st.size };
      if (st.isDirectory()) return { type: 'directory', executable: false, size: 0 };
      if (st.isSymbolicLink()) return { type: 'symlink', executable: false, size: 0 };
      throw unsupportedFileType(p, display);
    },
    *readChunks(p) {
      let fd: number;
      try {
        fd = fs.openSync(fsPathBytes(p), OPEN_FLAGS);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw unsupportedFileType(p, display);
        throw e;
      }
      try {
        if (!fs.fstatSync(fd).isFile()) throw unsupportedFileType(p, display);
        const buf = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          const n = fs.readSync(fd, buf, 0, CHUNK, null);
          if (n === 0) return;
          // The encoder may hold on to the chunk: hand out a copy, reuse the buffer.
          yield Uint8Array.prototype.slice.call(buf, 0, n);
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    // Names and link targets are byte strings (non-UTF-8 bytes kept, @m/nix-compat bytes.ts).
    readdir: (p) => fs.readdirSync(fsPathBytes(p), { encoding: 'buffer' }).map((n) => fromUtf8(n)),
    readlink: (p) => fromUtf8(fs.readlinkSync(fsPathBytes(p), { encoding: 'buffer' })),
  };
}
