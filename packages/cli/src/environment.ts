/** Resolution of the search path and the physical store directory from flags and environment. */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseNixPathVar, toSearchPathEntry, type SearchPathEntry } from './instantiate-args';

/** Nix's default search path, used when NIX_PATH is unset: only entries that exist. */
function defaultNixPath(home: string): string[] {
  const candidates: [string, string][] = [
    [join(home, '.nix-defexpr/channels'), ''],
    ['/nix/var/nix/profiles/per-user/root/channels/nixpkgs', 'nixpkgs'],
    ['/nix/var/nix/profiles/per-user/root/channels', ''],
  ];
  return candidates.filter(([p]) => existsSync(p)).map(([p, prefix]) => (prefix ? `${prefix}=${p}` : p));
}

/** `-I` entries first, then NIX_PATH (or Nix's defaults when it is unset). */
export function resolveSearchPath(includes: readonly string[], env: NodeJS.ProcessEnv): SearchPathEntry[] {
  const fromEnv = env.NIX_PATH !== undefined ? parseNixPathVar(env.NIX_PATH) : defaultNixPath(env.HOME ?? homedir());
  return [...includes, ...fromEnv].map(toSearchPathEntry);
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The physical store directory: `--store DIR`, else M_STORE, else `store/` in the nearest ancestor
 * of cwd that contains `makes/` or `.git`, else ~/.cache/m/store. Not created here.
 */
export function resolvePhysicalStore(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (flag) return flag;
  if (env.M_STORE) return env.M_STORE;
  let dir = cwd;
  for (;;) {
    if (isDir(join(dir, 'makes')) || existsSync(join(dir, '.git'))) return join(dir, 'store');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(env.HOME ?? homedir(), '.cache/m/store');
}
