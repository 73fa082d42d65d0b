/**
 * The customisation layer: the image's root file system, built like nixpkgs' symlinkJoin of the
 * `layers` roots. The top-level contents of every root are merged: directories (real ones, found
 * by lstat; a symlink to a directory is a leaf) are recreated and merged recursively, every other
 * node becomes a symlink to its absolute logical store location. Two roots providing the same
 * non-directory (or a directory and a non-directory) is an error. The ancestors of the store
 * directory (`nix`, `nix/store`) are always present; a root may add beside them (`nix/var`) but
 * not replace them or put anything inside the store directory, which would shadow store paths.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { MError } from '@m/core';
import { compareUtf8, fromUtf8, fsPathBytes } from '@m/nix-compat';
import type { ByteSink } from './sinks';
import { fsPath } from './fs-path';
import { tarEntryHeader } from './tar';

type Node = { kind: 'dir'; children: Map<string, Node>; from: string } | { kind: 'link'; target: string; from: string };

export interface CustomisationRoot {
  /** Logical store path, e.g. /nix/store/<hash>-custom-layer. */
  logical: string;
  /** Where it is on disk. */
  physical: string;
}

function lstatOrThrow(p: string): Stats {
  try {
    return lstatSync(fsPath(p));
  } catch (e) {
    throw new MError('IO_ERROR', `reading '${p}' for the customisation layer: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function conflict(rel: string, a: string, b: string): MError {
  return new MError('BAD_ARGUMENT', `makeContainerImage: '/${rel}' is provided by both '${a}' and '${b}'`, {
    hint: 'two layers put different files at the same place of the image root',
  });
}

function mergeDir(into: Node & { kind: 'dir' }, physical: string, logical: string, rel: string, root: string): void {
  const names = readdirSync(fsPath(physical), { encoding: 'buffer' })
    .map((n) => fromUtf8(n))
    .sort(compareUtf8);
  for (const n of names) {
    const childRel = rel === '' ? n : `${rel}/${n}`;
    const st = lstatOrThrow(`${physical}/${n}`);
    const existing = into.children.get(n);
    if (existing !== undefined && existing.from === STORE_ANCESTOR && !st.isDirectory()) throw shadowing(childRel, root);
    if (existing?.kind === 'dir' && existing.from === STORE_DIR) throw shadowing(childRel, root);
    if (st.isDirectory()) {
      if (existing === undefined) {
        const d: Node = { kind: 'dir', children: new Map(), from: root };
        into.children.set(n, d);
        mergeDir(d, `${physical}/${n}`, `${logical}/${n}`, childRel, root);
      } else if (existing.kind === 'dir') {
        mergeDir(existing, `${physical}/${n}`, `${logical}/${n}`, childRel, root);
      } else throw conflict(childRel, existing.from, root);
    } else {
      if (existing !== undefined) throw conflict(childRel, existing.from, root);
      into.children.set(n, { kind: 'link', target: `${logical}/${n}`, from: root });
    }
  }
}

const STORE_ANCESTOR = '(store directory ancestor)';
const STORE_DIR = '(store directory)';

function shadowing(rel: string, root: string): MError {
  return new MError('BAD_ARGUMENT', `makeContainerImage: layer '${root}' provides '/${rel}', which would replace the store directory or shadow store paths`, {
    hint: 'the store directory of the image holds only the closure; put files elsewhere in the layer',
  });
}

/** Builds the merged tree; `storeDir` is the logical store directory (e.g. /nix/store). */
export function buildRootTree(roots: readonly CustomisationRoot[], storeDir: string): Node & { kind: 'dir' } {
  const top: Node & { kind: 'dir' } = { kind: 'dir', children: new Map(), from: '(image)' };
  let d = top;
  const parts = storeDir.split('/').filter((p) => p !== '');
  parts.forEach((part, i) => {
    const child: Node & { kind: 'dir' } = { kind: 'dir', children: new Map(), from: i === parts.length - 1 ? STORE_DIR : STORE_ANCESTOR };
    d.children.set(part, child);
    d = child;
  });
  for (const r of roots) {
    const st = lstatOrThrow(r.physical);
    if (!st.isDirectory())
      throw new MError('BAD_ARGUMENT', `makeContainerImage: layer '${r.logical}' is not a directory`, {
        hint: 'each entry of `layers` is merged into the image root, so it must be a directory',
      });
    mergeDir(top, r.physical, r.logical, '', r.logical);
  }
  return top;
}

/** Writes the tree's entries (sorted, depth first, directories 0555, symlinks 0777). */
export async function writeRootTree(tree: Node & { kind: 'dir' }, sink: ByteSink, rel = ''): Promise<void> {
  const names = [...tree.children.keys()].sort(compareUtf8);
  for (const n of names) {
    const node = tree.children.get(n)!;
    const name = rel === '' ? n : `${rel}/${n}`;
    if (node.kind === 'dir') {
      await sink.write(tarEntryHeader({ name, type: 'directory', mode: 0o555 }));
      await writeRootTree(node, sink, name);
    } else await sink.write(tarEntryHeader({ name, type: 'symlink', mode: 0o777, linkname: node.target }));
  }
}
