/** Test helper: a NarSource over the real file system (the package itself does no I/O). */
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import type { NarSource } from '../src/index';

export function fsNarSource(): NarSource {
  return {
    lstat(path) {
      const st = lstatSync(path);
      const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'regular';
      return { type, executable: (st.mode & 0o100) !== 0, size: st.size };
    },
    *readChunks(path) {
      const fd = openSync(path, 'r');
      try {
        for (;;) {
          const buf = new Uint8Array(16 * 1024);
          const n = readSync(fd, buf);
          if (n === 0) return;
          yield buf.subarray(0, n);
        }
      } finally {
        closeSync(fd);
      }
    },
    readdir: (path) => readdirSync(path),
    readlink: (path) => readlinkSync(path),
  };
}
