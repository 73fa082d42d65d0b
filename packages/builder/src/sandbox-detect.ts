/** Which sandbox implementation works on this machine (probed once per process). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BWRAP } from './bwrap';
import { SETPRIV, UNSHARE } from './unshare';

export type SandboxKind = 'bwrap' | 'unshare';

const probed = new Map<SandboxKind, boolean>();

function probe(kind: SandboxKind): boolean {
  const known = probed.get(kind);
  if (known !== undefined) return known;
  let ok = false;
  if (kind === 'bwrap' && fs.existsSync(BWRAP)) {
    const r = spawnSync(BWRAP, ['--unshare-all', '--unshare-user', '--uid', '1000', '--die-with-parent', '--ro-bind', '/', '/', '--', '/bin/true'], { stdio: 'ignore', timeout: 10_000 });
    ok = r.status === 0;
  } else if (kind === 'unshare' && fs.existsSync(UNSHARE) && fs.existsSync(SETPRIV)) {
    const r = spawnSync(UNSHARE, ['--user', '--map-root-user', '--pid', '--fork', '--mount', '--ipc', '--uts', '--net', '--', '/bin/true'], { stdio: 'ignore', timeout: 10_000 });
    ok = r.status === 0;
  }
  probed.set(kind, ok);
  return ok;
}

/** The first usable of `wanted` (or bwrap, then unshare), or undefined if none works. */
export function findSandbox(wanted?: SandboxKind): SandboxKind | undefined {
  for (const k of wanted ? [wanted] : (['bwrap', 'unshare'] as const)) if (probe(k)) return k;
  return undefined;
}
