/**
 * Which sandbox implementation works on this machine, probed once per process with the same
 * chain of tools and privileges a build uses (as the build user, when m runs as root).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BWRAP } from './bwrap';
import { SANDBOX_GID, SANDBOX_UID } from './request';
import { dropToUser, rootToolsPresent } from './sandbox-root';
import { type BuildUser } from './sandbox-user';
import { SETPRIV, UNSHARE } from './unshare';

export type SandboxKind = 'bwrap' | 'unshare';

export interface SandboxChoice {
  kind: SandboxKind;
  /** bwrap can forbid further user namespaces inside the sandbox (--disable-userns). */
  disableUserns: boolean;
}

const probed = new Map<string, SandboxChoice | null>();

function runs(program: string, args: string[]): boolean {
  return spawnSync(program, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** As root: the command runs in a private mount namespace after dropping to `user`. */
function asUser(user: BuildUser | undefined, command: string[], outerNs: string[] = ['--mount', '--propagation', 'private']): [string, string[]] {
  if (!user) return [command[0]!, command.slice(1)];
  return [UNSHARE, [...outerNs, '--', ...dropToUser(user), ...command]];
}

function probe(kind: SandboxKind, user: BuildUser | undefined): SandboxChoice | null {
  if (user && !rootToolsPresent()) return null;
  if (kind === 'bwrap') {
    if (!fs.existsSync(BWRAP)) return null;
    const base = ['--unshare-all', '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID), '--die-with-parent'];
    for (const disableUserns of [true, false]) {
      const cmd = [BWRAP, ...base, ...(disableUserns ? ['--disable-userns'] : []), '--ro-bind', '/', '/', '--', '/bin/true'];
      if (runs(...asUser(user, cmd))) return { kind, disableUserns };
    }
    return null;
  }
  if (!fs.existsSync(UNSHARE) || !fs.existsSync(SETPRIV)) return null;
  const inner = [UNSHARE, '--user', `--map-user=${SANDBOX_UID}`, `--map-group=${SANDBOX_GID}`, '--', '/bin/true'];
  const ns = ['--pid', '--fork', '--mount', '--ipc', '--uts', '--net'];
  const ok = user
    ? runs(...asUser(user, inner, [...ns, '--propagation', 'private']))
    : runs(UNSHARE, ['--user', '--map-root-user', ...ns, '--', ...inner]);
  return ok ? { kind, disableUserns: false } : null;
}

/**
 * The first usable of `wanted` (or bwrap, then unshare), or undefined if none works. `user` is the
 * build user when m runs as root (the probe then runs as that user, as builds do).
 */
export function findSandbox(wanted?: SandboxKind, user?: BuildUser): SandboxChoice | undefined {
  for (const k of wanted ? [wanted] : (['bwrap', 'unshare'] as const)) {
    const key = `${k}:${user ? 'root' : 'user'}`;
    if (!probed.has(key)) probed.set(key, probe(k, user));
    const c = probed.get(key);
    if (c) return c;
  }
  return undefined;
}
