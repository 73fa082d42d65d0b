/**
 * Opening the physical store for a command (`--store DIR` / M_STORE / the project's `store/`) and
 * turning command-line path arguments into logical store paths.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { MError } from '@m/core';
import { openStore, type Store } from '@m/store';
import { resolvePhysicalStore } from './environment';

/** Logical store directory of m (Nix's, so that paths and hashes are Nix's). */
export const LOGICAL_STORE_DIR = '/nix/store';

/**
 * Opens (creating if needed) the store selected by `--store`, M_STORE or the project.
 * `rebuildDatabase`: for `m store verify --repair` (see @m/store's OpenStoreOptions).
 */
export function openCliStore(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string, rebuildDatabase = false): Store {
  const root = resolve(cwd, resolvePhysicalStore(flag, env, cwd));
  mkdirSync(root, { recursive: true });
  return openStore({ root, storeDir: LOGICAL_STORE_DIR, rebuildDatabase });
}

/**
 * A path argument as a logical store path: a logical path (`/nix/store/<hash>-<name>[/…]`), a
 * physical path inside the store, or a symlink (such as `./result`) leading to either.
 */
export function storePathArg(store: Store, arg: string, cwd: string): string {
  const abs = resolve(cwd, arg);
  const direct = store.toStorePath(abs);
  if (direct) return direct;
  if (existsSync(abs)) {
    const viaLinks = store.toStorePath(realpathSync(abs));
    if (viaLinks) return viaLinks;
    try {
      const physRoot = realpathSync(store.root);
      const real = realpathSync(abs);
      if (real.startsWith(physRoot + '/')) {
        const found = store.toStorePath(resolve(store.root, real.slice(physRoot.length + 1)));
        if (found) return found;
      }
    } catch {
      /* fall through */
    }
  }
  throw new MError('BAD_ARGUMENT', `path '${abs}' is not in the Nix store`);
}

/** Like storePathArg, and the path must be valid. */
export function validStorePathArg(store: Store, arg: string, cwd: string): string {
  const p = storePathArg(store, arg, cwd);
  if (!store.isValid(p)) throw new MError('STORE_ERROR', `path '${p}' is not valid`);
  return p;
}
