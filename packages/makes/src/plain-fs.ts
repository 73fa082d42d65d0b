/** DirReader over the host file system (no recording). */
import * as fs from 'node:fs';
import type { DirReader } from './discover';

type T = 'regular' | 'directory' | 'symlink' | 'unknown';
const typeOf = (d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): T =>
  d.isFile() ? 'regular' : d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : 'unknown';

export const plainDirReader: DirReader = {
  readDir: (p) => new Map(fs.readdirSync(p, { withFileTypes: true }).map((d) => [d.name, typeOf(d)])),
  fileType: (p) => {
    try {
      return typeOf(fs.lstatSync(p));
    } catch {
      return undefined;
    }
  },
};
