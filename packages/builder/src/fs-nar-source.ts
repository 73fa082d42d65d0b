/** A NarSource over the real file system (never follows symlinks). */
import * as fs from 'node:fs';
import type { NarSource } from '@m/nix-compat';

const CHUNK = 64 * 1024;

export function fsNarSource(): NarSource {
  return {
    lstat(p) {
      const st = fs.lstatSync(p);
      const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'regular';
      return { type, executable: (st.mode & 0o100) !== 0, size: st.size };
    },
    *readChunks(p) {
      const fd = fs.openSync(p, 'r');
      try {
        for (;;) {
          const buf = new Uint8Array(CHUNK);
          const n = fs.readSync(fd, buf);
          if (n === 0) return;
          yield buf.subarray(0, n);
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    readdir: (p) => fs.readdirSync(p),
    readlink: (p) => fs.readlinkSync(p),
  };
}
