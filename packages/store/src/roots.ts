/**
 * Indirect GC roots without a store handle: `.m/gcroots/auto/<hash of the link's path>` → a
 * symlink anywhere (nix-build's `result`, the makes runner's out-links) that points into the
 * store. gc keeps the link's target alive while the link exists and points into the store, and
 * drops the root once the link is gone. This module loads no database driver, so the CLI's main
 * thread can use it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { META_DIR } from './layout';

/** Where the indirect root for `linkPath` lives in the store at `storeRoot`. */
export function indirectRootPath(storeRoot: string, linkPath: string): string {
  const name = createHash('sha256').update(path.resolve(linkPath)).digest('hex').slice(0, 32);
  return path.join(path.resolve(storeRoot), META_DIR, 'gcroots', 'auto', name);
}

/** Registers `linkPath` as an indirect root of the store at `storeRoot`; returns the root's path. */
export function addIndirectRootAt(storeRoot: string, linkPath: string): string {
  const abs = path.resolve(linkPath);
  const link = indirectRootPath(storeRoot, abs);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const tmp = `${link}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(abs, tmp);
  fs.renameSync(tmp, link);
  return link;
}
