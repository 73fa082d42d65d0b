/** Command line for running a build under bubblewrap. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BuildRequest, SANDBOX_BUILD_DIR, SANDBOX_GID, SANDBOX_UID } from './request';
import { type SandboxLayout, NETWORK_ETC_FILES, sandboxBinds } from './sandbox-layout';

export const BWRAP = '/usr/bin/bwrap';

/**
 * New user (uid 1000, gid 100, no capabilities), PID, mount, IPC, UTS and — unless fixed-output —
 * network namespaces; read-only root with only the input closure in the store. The sandbox's PID 1
 * is bwrap itself, which dies with its parent, taking every process of the build with it.
 */
export function bwrapArgs(req: BuildRequest, layout: SandboxLayout, env: Record<string, string>, physicalInputs: Map<string, string>, sandboxPaths: Record<string, string>): string[] {
  const a: string[] = [
    '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID),
    '--unshare-pid', '--unshare-ipc', '--unshare-uts',
  ];
  if (!req.fixedOutput) a.push('--unshare-net');
  a.push('--hostname', 'localhost', '--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  a.push('--dev', '/dev', '--tmpfs', '/dev/shm', '--proc', '/proc');
  a.push('--bind', layout.storeDir, req.storeDir);
  for (const [logical, physical] of physicalInputs) a.push('--ro-bind', physical, logical);
  a.push('--bind', layout.buildDir, SANDBOX_BUILD_DIR);
  a.push('--bind', layout.tmpDir, '/tmp');
  for (const f of ['passwd', 'group', 'hosts', 'nsswitch.conf']) {
    const p = path.join(layout.etcDir, f);
    if (fs.existsSync(p)) a.push('--ro-bind', p, `/etc/${f}`);
  }
  if (req.fixedOutput) for (const f of NETWORK_ETC_FILES) if (fs.existsSync(f)) a.push('--ro-bind', f, f);
  for (const b of sandboxBinds(sandboxPaths)) a.push(b.optional ? '--ro-bind-try' : '--ro-bind', b.source, b.target);
  a.push('--remount-ro', '/dev', '--remount-ro', '/');
  a.push('--chdir', SANDBOX_BUILD_DIR, '--clearenv');
  for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
  a.push('--', req.builder, ...req.args);
  return a;
}
