/**
 * Running a sandbox tool as the build user when m runs as root.
 *
 * The sandbox tool runs as the unprivileged build user — no capabilities, an empty bounding set,
 * no_new_privs, an empty environment — so it can only open sources that any user can reach. Those
 * it cannot (the store or the build's temp directory under a 0700 directory such as /root, a sandbox
 * path likewise) are staged first: a host shell, as root in a private mount namespace of its own (no
 * user namespace), mounts a tmpfs, binds them into it, moves that staging tree over /tmp (in that
 * namespace only) and then drops to the build user; the tool reads them under /tmp. When everything
 * is reachable, the tool is started directly.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type HostBind, type SandboxInput, type SandboxLayout } from './sandbox-layout';
import { type BuildUser } from './sandbox-user';

export const SETPRIV = '/usr/bin/setpriv';
export const UNSHARE = '/usr/bin/unshare';
export const ENV = '/usr/bin/env';

/** Where the staging tree is visible to the sandbox tool. */
const STAGE = '/tmp';

/** Where the sandbox tool reads each host source from. */
export interface SandboxSources {
  /** The physical store directory (store entries are `<store>/<basename>`). */
  store: string;
  build: string;
  out: string;
  tmp: string;
  etc: string;
  /** Parallel to the sandbox binds. */
  binds: string[];
}

export function directSources(req: { physicalStore: string }, l: SandboxLayout, binds: HostBind[]): SandboxSources {
  return { store: req.physicalStore, build: l.buildDir, out: l.storeDir, tmp: l.tmpDir, etc: l.etcDir, binds: binds.map((b) => b.source) };
}

export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Kills every process running as the build user, as Nix's killUser does: a sandbox's processes
 * leave the process group (new session) and may escape the death of its PID 1 while it starts.
 * kill(-1) as that user reaches exactly its processes; it is repeated until none is left.
 */
export function killUserProcesses(user: BuildUser): void {
  const loop = 'n=0; while kill -9 -1 2>/dev/null && [ $n -lt 100 ]; do n=$((n+1)); done; exit 0';
  spawnSync(SETPRIV, [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', '/bin/sh', '-c', loop], {
    stdio: 'ignore',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    timeout: 10_000,
  });
}

/** `setpriv` arguments that become `user` with no privileges at all. */
export function dropToUser(user: BuildUser): string[] {
  return [
    SETPRIV, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups',
    '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--',
  ];
}

/**
 * Whether a user with no groups and no ownership of anything can look `p` up: every directory from
 * / down to its parent (symlinks resolved) must be searchable by others.
 */
export function othersCanReach(p: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch {
    return false;
  }
  for (let d = path.dirname(real); ; d = path.dirname(d)) {
    if (!(fs.statSync(d).mode & 0o001)) return false;
    if (d === '/') return true;
  }
}

/** Shell lines binding `src` at "$S"`target` (read-only when asked). */
function stageBind(src: string, target: string, ro: boolean, optional = false): string {
  const t = `"$S"${q(target)}`;
  const make = `if [ -d ${q(src)} ]; then mkdir -p ${t}; else touch ${t}; fi`;
  const body = `${make}; mount --bind ${q(src)} ${t}${ro ? `; mount -o remount,bind,ro ${t}` : ''}`;
  return optional ? `if [ -e ${q(src)} ]; then ${body}; fi` : body;
}

export interface RootPlan {
  sources: SandboxSources;
  /** Shell lines staging the unreachable sources under "$S" (empty: nothing to stage). */
  stage: string[];
}

/**
 * Where the build user's sandbox tool finds each source, staging what it cannot reach. The temp
 * directory is made searchable (0711) so its parts need no staging of their own.
 */
export function planRootSources(req: { physicalStore: string }, l: SandboxLayout, inputs: SandboxInput[], binds: HostBind[]): RootPlan {
  const sources = directSources(req, l, binds);
  const stage: string[] = [];
  fs.chmodSync(l.tempDir, 0o711);
  if (!othersCanReach(l.buildDir)) {
    stage.push(stageBind(l.tempDir, '/t', false));
    Object.assign(sources, { build: `${STAGE}/t/build`, out: `${STAGE}/t/store`, tmp: `${STAGE}/t/tmp`, etc: `${STAGE}/t/etc` });
  }
  if (!othersCanReach(req.physicalStore) || !(fs.statSync(req.physicalStore).mode & 0o001)) {
    sources.store = `${STAGE}/pstore`;
    if (fs.statSync(req.physicalStore).mode & 0o001) stage.push(stageBind(req.physicalStore, '/pstore', true));
    else {
      // Entry by entry; symlink inputs are recreated by the tool, never bound.
      const names = inputs.filter((i) => i.symlink === undefined).map((i) => q(path.basename(i.physical)));
      stage.push('mkdir "$S/pstore"', `P=${q(req.physicalStore)}`);
      if (names.length > 0)
        stage.push(`for e in ${names.join(' ')}; do if [ -d "$P/$e" ]; then mkdir "$S/pstore/$e"; else touch "$S/pstore/$e"; fi; mount --bind "$P/$e" "$S/pstore/$e"; done`);
    }
  }
  let spMade = false;
  binds.forEach((b, i) => {
    if (!fs.existsSync(b.source) || othersCanReach(b.source)) return;
    if (!spMade) stage.push('mkdir "$S/sp"');
    spMade = true;
    stage.push(stageBind(b.source, `/sp/${i}`, true, b.optional));
    sources.binds[i] = `${STAGE}/sp/${i}`;
  });
  return { sources, stage };
}

/** Program and arguments (as root) that stage `plan` if needed and exec `command` as `user`. */
export function rootCommand(l: SandboxLayout, plan: RootPlan, user: BuildUser, command: string[]): [string, string[]] {
  const run = [ENV, '-i', ...dropToUser(user), ...command];
  if (plan.stage.length === 0) return [run[0]!, run.slice(1)];
  const lines = [
    'set -e',
    `S=${q(l.stageDir)}`,
    'mount -t tmpfs -o mode=0755 none "$S"',
    ...plan.stage,
    `mount --move "$S" ${STAGE}`,
    `exec ${run.map(q).join(' ')}`,
  ];
  return [UNSHARE, ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', lines.join('\n')]];
}

/** The host tools the root path needs. */
export function rootToolsPresent(): boolean {
  return fs.existsSync(SETPRIV) && fs.existsSync(UNSHARE) && fs.existsSync(ENV);
}
