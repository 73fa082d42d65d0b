/** What the NAR encoder needs from a file tree, and an in-memory implementation of it. */
import { MError } from '@m/core';
import { toBytes } from './bytes';

export type NarNodeType = 'regular' | 'directory' | 'symlink';

export interface NarStat {
  type: NarNodeType;
  /** Regular files only: the owner-execute bit. */
  executable: boolean;
  /** Regular files only: byte length, written before the contents. */
  size: number;
}

/**
 * A read-only view of a file tree. Paths are the root path given to the encoder, extended with
 * "/<name>" per directory level. Implementations must not follow symlinks in lstat.
 */
export interface NarSource {
  lstat(path: string): NarStat;
  /** The file's bytes, in one or more chunks; must total lstat(path).size. */
  readChunks(path: string): Iterable<Uint8Array>;
  /** Entry names (no "." or ".."); any order — the encoder sorts them bytewise. */
  readdir(path: string): string[];
  readlink(path: string): string;
}

/** An in-memory file tree. */
export type NarTree =
  | { type: 'regular'; executable?: boolean; contents: Uint8Array | string }
  | { type: 'symlink'; target: string }
  | { type: 'directory'; entries: Record<string, NarTree> | Map<string, NarTree> };

function children(t: NarTree & { type: 'directory' }): Map<string, NarTree> {
  return t.entries instanceof Map ? t.entries : new Map(Object.entries(t.entries));
}

/** A NarSource over a NarTree; the root path is "" and children are "/a", "/a/b", …. */
export function treeNarSource(root: NarTree): NarSource {
  const find = (path: string): NarTree => {
    let node = root;
    for (const part of path.split('/').slice(1)) {
      const next = node.type === 'directory' ? children(node).get(part) : undefined;
      if (!next) throw new MError('IO_ERROR', `getting status of '${path}': No such file or directory`);
      node = next;
    }
    return node;
  };
  return {
    lstat(path) {
      const n = find(path);
      if (n.type === 'regular') return { type: 'regular', executable: n.executable ?? false, size: toBytes(n.contents).length };
      return { type: n.type, executable: false, size: 0 };
    },
    *readChunks(path) {
      const n = find(path);
      if (n.type !== 'regular') throw new MError('IO_ERROR', `'${path}' is not a regular file`);
      yield toBytes(n.contents);
    },
    readdir(path) {
      const n = find(path);
      if (n.type !== 'directory') throw new MError('IO_ERROR', `'${path}' is not a directory`);
      return [...children(n).keys()];
    },
    readlink(path) {
      const n = find(path);
      if (n.type !== 'symlink') throw new MError('IO_ERROR', `'${path}' is not a symlink`);
      return n.target;
    },
  };
}
