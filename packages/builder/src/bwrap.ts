/** Command line for running a build under bubblewrap. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BuildRequest, SANDBOX_BUILD_DIR, SANDBOX_GID, SANDBOX_UID } from './request';
import { type HostBind, type SandboxInput, NETWORK_ETC_FILES, etcFiles } from './sandbox-layout';
import { type SandboxSources } from './sandbox-root';

export const BWRAP = '/usr/bin/bwrap';

/**
 * New user (uid 1000, gid 100, no capabilities; with `disableUserns` no further user namespaces),
 * PID, mount, IPC, UTS and — unless fixed-output — network namespaces; read-only root with only the
 * input closure in the store: directories and files bound read-only, symlinks recreated as
 * symlinks (a bind would follow them on the host). bwrap's /proc has /proc/sys read-only; its /dev
 * holds only null, zero, full, random, urandom, tty (binds of the host's nodes, which the build
 * user does not own). The sandbox's PID 1 is bwrap itself, which dies with its parent, taking every
 * process of the build with it.
 */
export function bwrapArgs(
  req: BuildRequest,
  env: Record<string, string>,
  inputs: SandboxInput[],
  binds: HostBind[],
  src: SandboxSources,
  disableUserns: boolean,
): string[] {
  const a: string[] = [
    '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID),
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
  ];
  if (disableUserns) a.push('--disable-userns');
  if (!req.fixedOutput) a.push('--unshare-net');
  a.push('--hostname', 'localhost', '--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  a.push('--dev', '/dev', '--tmpfs', '/dev/shm', '--proc', '/proc');
  a.push('--bind', src.out, req.storeDir);
  for (const i of inputs) {
    if (i.symlink !== undefined) a.push('--symlink', i.symlink, i.logical);
    else a.push('--ro-bind', path.join(src.store, path.basename(i.physical)), i.logical);
  }
  a.push('--bind', src.build, SANDBOX_BUILD_DIR);
  a.push('--bind', src.tmp, '/tmp');
  for (const f of etcFiles(req.fixedOutput)) a.push('--ro-bind', `${src.etc}/${f}`, `/etc/${f}`);
  if (req.fixedOutput) for (const f of NETWORK_ETC_FILES) if (fs.existsSync(f)) a.push('--ro-bind', f, f);
  binds.forEach((b, i) => a.push(b.optional ? '--ro-bind-try' : '--ro-bind', src.binds[i]!, b.target));
  a.push('--remount-ro', '/dev', '--remount-ro', '/');
  a.push('--chdir', SANDBOX_BUILD_DIR, '--clearenv');
  for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
  a.push('--', req.builder, ...req.args);
  return a;
}
