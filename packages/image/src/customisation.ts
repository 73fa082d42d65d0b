/**
 * The customisation layer: the image's root file system, built like nixpkgs' symlinkJoin of the
 * `layers` roots. The top-level contents of every root are merged: directories (real ones, found
 * by lstat; a symlink to a directory is a leaf) are recreated and merged recursively, every other
 * node becomes a symlink to its absolute logical store location. When two roots provide the same
 * non-directory (or a directory and a non-directory), the first root wins, as in dockerTools, and a
 * warning names both; `strict` makes it an error. The ancestors of the store directory (`nix`,
 * `nix/store`) are always present; a root may add beside them (`nix/var`) but not replace them or
 * put anything inside the store directory, which would shadow store paths.
 *
 * With `extraCommands`/`fakeRootCommands`, a sandboxed derivation (make-container-image.nix) has
 * rebuilt that union, run the commands in it and recorded every entry's mode and fake-root owner in
 * `meta`; its `root` then replaces the merged tree (`customisationFromOutput`), with the modes and
 * owners of `meta` instead of the store's canonical ones.
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { MError } from '@m/core';
import { compareUtf8, fromUtf8 } from '@m/nix-compat';
import type { ByteSink } from './sinks';
import { fsPath } from './fs-path';
import { type EntryAttrs, type PermRule, applyPerms, rulesFor } from './perms';
import { writeFileData } from './store-walk';
import { tarEntryHeader } from './tar';

type Dir = { kind: 'dir'; children: Map<string, Node>; from: string; attrs?: EntryAttrs };
type Node =
  | Dir
  | { kind: 'link'; target: string; from: string; attrs?: EntryAttrs }
  | { kind: 'file'; physical: string; size: number; from: string; attrs?: EntryAttrs };
export type RootTree = Dir;

export interface CustomisationRoot {
  /** Logical store path, e.g. /nix/store/<hash>-custom-layer. */
  logical: string;
  /** Where it is on disk. */
  physical: string;
}

export interface RootTreeOptions {
  /** Colliding entries are an error instead of first-wins. */
  strict?: boolean;
  onWarning?: (message: string) => void;
}

function lstatOrThrow(p: string): Stats {
  try {
    return lstatSync(fsPath(p));
  } catch (e) {
    throw new MError('IO_ERROR', `reading '${p}' for the customisation layer: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const STORE_ANCESTOR = '(store directory ancestor)';
const STORE_DIR = '(store directory)';
const CUSTOMISATION = '(extraCommands)';

function shadowing(rel: string, root: string): MError {
  return new MError('BAD_ARGUMENT', `makeContainerImage: layer '${root}' provides '/${rel}', which would replace the store directory or shadow store paths`, {
    hint: 'the store directory of the image holds only the closure; put files elsewhere in the layer',
  });
}

function readNames(physical: string): string[] {
  return readdirSync(fsPath(physical), { encoding: 'buffer' })
    .map((n) => fromUtf8(n))
    .sort(compareUtf8);
}

function mergeDir(into: Dir, physical: string, logical: string, rel: string, root: string, opts: RootTreeOptions): void {
  for (const n of readNames(physical)) {
    const childRel = rel === '' ? n : `${rel}/${n}`;
    const st = lstatOrThrow(`${physical}/${n}`);
    const existing = into.children.get(n);
    if (existing !== undefined && existing.from === STORE_ANCESTOR && !st.isDirectory()) throw shadowing(childRel, root);
    if (existing?.kind === 'dir' && existing.from === STORE_DIR) throw shadowing(childRel, root);
    if (st.isDirectory() && existing === undefined) {
      const d: Dir = { kind: 'dir', children: new Map(), from: root };
      into.children.set(n, d);
      mergeDir(d, `${physical}/${n}`, `${logical}/${n}`, childRel, root, opts);
    } else if (st.isDirectory() && existing?.kind === 'dir') {
      mergeDir(existing, `${physical}/${n}`, `${logical}/${n}`, childRel, root, opts);
    } else if (existing !== undefined) {
      const message = `makeContainerImage: '/${childRel}' is provided by both '${existing.from}' and '${root}'`;
      if (opts.strict) throw new MError('BAD_ARGUMENT', message, { hint: 'two layers put different files at the same place of the image root' });
      opts.onWarning?.(`${message}; the image keeps the one of '${existing.from}'`);
    } else into.children.set(n, { kind: 'link', target: `${logical}/${n}`, from: root });
  }
}

function skeleton(storeDir: string): Dir {
  const top: Dir = { kind: 'dir', children: new Map(), from: '(image)' };
  let d = top;
  const parts = storeDir.split('/').filter((p) => p !== '');
  parts.forEach((part, i) => {
    const child: Dir = { kind: 'dir', children: new Map(), from: i === parts.length - 1 ? STORE_DIR : STORE_ANCESTOR };
    d.children.set(part, child);
    d = child;
  });
  return top;
}

/** Builds the merged tree; `storeDir` is the logical store directory (e.g. /nix/store). */
export function buildRootTree(roots: readonly CustomisationRoot[], storeDir: string, opts: RootTreeOptions = {}): RootTree {
  const top = skeleton(storeDir);
  for (const r of roots) {
    const st = lstatOrThrow(r.physical);
    if (!st.isDirectory())
      throw new MError('BAD_ARGUMENT', `makeContainerImage: layer '${r.logical}' is not a directory`, {
        hint: 'each entry of `layers` is merged into the image root, so it must be a directory',
      });
    mergeDir(top, r.physical, r.logical, '', r.logical, opts);
  }
  return top;
}

/** `find -printf '%m %U %G %P\0'` records: relative path → mode and owner. */
export function parseMeta(text: string): Map<string, EntryAttrs> {
  const out = new Map<string, EntryAttrs>();
  for (const rec of text.split('\0')) {
    if (rec === '') continue;
    const m = /^([0-7]{1,5}) (\d+) (\d+) ([^]*)$/.exec(rec);
    if (m === null) throw new MError('STORE_ERROR', `the customisation layer's meta record ${JSON.stringify(rec.slice(0, 80))} is malformed`);
    out.set(m[4]!, { mode: parseInt(m[1]!, 8) & 0o7777, uid: Number(m[2]), gid: Number(m[3]) });
  }
  return out;
}

/**
 * The root of a customisation derivation's output (`root/` and `meta`): its tree replaces the
 * merged one. Directories keep the root they came from in `merged` (for perms); the store
 * directory stays reserved.
 */
export function customisationFromOutput(physicalOut: string, merged: RootTree, storeDir: string): RootTree {
  const meta = parseMeta(fromUtf8(readFileSync(fsPath(`${physicalOut}/meta`))));
  const top = skeleton(storeDir);
  const walk = (into: Dir, physical: string, rel: string, like: Dir | undefined): void => {
    for (const n of readNames(physical)) {
      const childRel = rel === '' ? n : `${rel}/${n}`;
      const p = `${physical}/${n}`;
      const st = lstatOrThrow(p);
      const existing = into.children.get(n);
      const attrs = meta.get(childRel);
      if (into.from === STORE_DIR || (existing !== undefined && !st.isDirectory())) throw shadowing(childRel, CUSTOMISATION);
      const prior = like?.children.get(n);
      if (st.isDirectory()) {
        const d: Dir = existing?.kind === 'dir' ? existing : { kind: 'dir', children: new Map(), from: prior?.from ?? CUSTOMISATION };
        if (existing === undefined) {
          into.children.set(n, d);
          d.attrs = attrs;
        }
        walk(d, p, childRel, prior?.kind === 'dir' ? prior : undefined);
      } else if (st.isSymbolicLink()) {
        const target = fromUtf8(readlinkSync(fsPath(p), { encoding: 'buffer' }));
        into.children.set(n, { kind: 'link', target, from: prior?.from ?? CUSTOMISATION, attrs: attrs && { uid: attrs.uid, gid: attrs.gid } });
      } else if (st.isFile()) {
        into.children.set(n, { kind: 'file', physical: p, size: st.size, from: CUSTOMISATION, attrs: attrs ?? { mode: (st.mode & 0o111) !== 0 ? 0o555 : 0o444 } });
      } else throw new MError('STORE_ERROR', `'${p}' is neither a file, a directory nor a symlink`);
    }
  };
  walk(top, `${physicalOut}/root`, '', merged);
  return top;
}

/** Applies perms to the directories of the tree, by the source path in the root each came from. */
export function applyTreePerms(tree: RootTree, rules: readonly PermRule[]): void {
  if (rules.length === 0) return;
  const visit = (d: Dir, rel: string): void => {
    for (const [n, node] of d.children) {
      const childRel = rel === '' ? n : `${rel}/${n}`;
      if (node.kind !== 'dir') continue;
      if (node.from.startsWith('/')) {
        const attrs = applyPerms(rulesFor(rules, node.from), `${node.from}/${childRel}`);
        if (attrs !== undefined) node.attrs = { ...node.attrs, ...attrs };
      }
      visit(node, childRel);
    }
  };
  visit(tree, '');
}

/** Writes the tree's entries (sorted, depth first; directories 0555 and symlinks 0777 unless set otherwise). */
export async function writeRootTree(tree: RootTree, sink: ByteSink, rel = ''): Promise<void> {
  const names = [...tree.children.keys()].sort(compareUtf8);
  for (const n of names) {
    const node = tree.children.get(n)!;
    const name = rel === '' ? n : `${rel}/${n}`;
    if (node.kind === 'dir') {
      await sink.write(tarEntryHeader({ name, type: 'directory', mode: 0o555, ...node.attrs }));
      await writeRootTree(node, sink, name);
    } else if (node.kind === 'link') {
      await sink.write(tarEntryHeader({ ...node.attrs, name, type: 'symlink', mode: 0o777, linkname: node.target }));
    } else {
      await sink.write(tarEntryHeader({ name, type: 'file', mode: 0o444, size: node.size, ...node.attrs }));
      await writeFileData(node.physical, node.size, sink, Buffer.allocUnsafeSlow(1 << 20));
    }
  }
}
