/**
 * Command line for running a build under util-linux unshare, the fallback when bwrap is unusable.
 * New PID, mount, IPC, UTS and — unless fixed-output — network namespaces run a host shell script
 * that assembles the sandbox root with bind mounts (inputs read-only, symlink inputs recreated as
 * symlinks, a private /dev of the six usual nodes, /proc with /proc/sys read-only); it then enters
 * a user namespace as uid 1000 / gid 100, chroots and execs the builder with exactly its
 * environment. setpriv makes the whole thing die with its parent; the builder is PID 1 of the
 * namespace, so its exit tears down every other process of the build.
 *
 * Unprivileged m: the script runs as root of an outer user namespace (mapped to the caller).
 * m as root: the script runs as real root in a private mount namespace (no user namespace), moves
 * the finished root over /tmp (in that namespace only) and drops to the build user — no
 * capabilities, empty bounding set, no_new_privs — before creating the builder's user namespace,
 * so uid 1000 maps to the build user and nothing maps to host root.
 */
import { type BuildRequest, SANDBOX_BUILD_DIR, SANDBOX_GID, SANDBOX_UID } from './request';
import { type HostBind, type SandboxInput, type SandboxLayout, NETWORK_ETC_FILES, etcFiles } from './sandbox-layout';
import { SETPRIV, UNSHARE, dropToUser, q } from './sandbox-root';
import { type BuildUser } from './sandbox-user';
import * as fs from 'node:fs';

export { SETPRIV, UNSHARE };

export const DEV_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

/** Arguments for SETPRIV. `user`: m runs as root and the build runs as this pool identity. */
export function unshareArgs(
  req: BuildRequest,
  layout: SandboxLayout,
  env: Record<string, string>,
  inputs: SandboxInput[],
  binds: HostBind[],
  user?: BuildUser,
): string[] {
  const lines: string[] = ['set -e', `R=${q(layout.rootDir)}`, 'mount -t tmpfs -o mode=0755 none "$R"'];
  const bind = (src: string, target: string, ro: boolean, optional = false): void => {
    const t = `"$R"${q(target)}`;
    const make = `if [ -d ${q(src)} ]; then mkdir -p ${t}; else mkdir -p "$(dirname ${t})"; touch ${t}; fi`;
    const body = `${make}; mount --bind ${q(src)} ${t}${ro ? `; mount -o remount,bind,ro ${t}` : ''}`;
    lines.push(optional ? `if [ -e ${q(src)} ]; then ${body}; fi` : body);
  };
  bind(layout.storeDir, req.storeDir, false);
  for (const i of inputs) {
    if (i.symlink === undefined) bind(i.physical, i.logical, true);
    else lines.push(`ln -s ${q(i.symlink)} "$R"${q(i.logical)}`);
  }
  bind(layout.buildDir, SANDBOX_BUILD_DIR, false);
  bind(layout.tmpDir, '/tmp', false);
  for (const f of etcFiles(req.fixedOutput)) bind(`${layout.etcDir}/${f}`, `/etc/${f}`, true);
  if (req.fixedOutput) for (const f of NETWORK_ETC_FILES) if (fs.existsSync(f)) bind(f, f, true);
  lines.push('mkdir -p "$R/dev"', 'mount -t tmpfs -o mode=0755,nosuid,noexec none "$R/dev"');
  for (const n of DEV_NODES) bind(`/dev/${n}`, `/dev/${n}`, false);
  lines.push(
    'mkdir -p "$R/dev/shm" "$R/proc"',
    'mount -t tmpfs -o mode=1777,nosuid,nodev none "$R/dev/shm"',
    'ln -s /proc/self/fd "$R/dev/fd"',
    'ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
    'mount -t proc -o nosuid,nodev,noexec proc "$R/proc"',
    'for p in sys sysrq-trigger; do if [ -e "$R/proc/$p" ]; then mount --bind "$R/proc/$p" "$R/proc/$p"; mount -o remount,bind,ro "$R/proc/$p"; fi; done',
  );
  binds.forEach((b) => bind(b.source, b.target, true, b.optional));
  lines.push('hostname localhost');
  if (!req.fixedOutput) lines.push('ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null || true');
  lines.push('mount -o remount,bind,ro "$R/dev"', 'mount -o remount,bind,ro "$R"');
  let root = '"$R"';
  if (user) {
    lines.push('mount --move "$R" /tmp');
    root = '/tmp';
  }
  const envArgs = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
  const drop = (user ? dropToUser(user) : [SETPRIV, '--no-new-privs', '--']).map(q).join(' ') + ' ';
  lines.push(
    `exec env -i ${envArgs.join(' ')} ${drop}${UNSHARE} --user --map-user=${SANDBOX_UID} --map-group=${SANDBOX_GID} --root=${root} --wd=${SANDBOX_BUILD_DIR} -- ${[req.builder, ...req.args].map(q).join(' ')}`,
  );
  const ns = user
    ? ['--pid', '--fork', '--kill-child', '--mount', '--propagation', 'private', '--ipc', '--uts']
    : ['--user', '--map-root-user', '--pid', '--fork', '--kill-child', '--mount', '--ipc', '--uts'];
  if (!req.fixedOutput) ns.push('--net');
  return ['--pdeathsig', 'KILL', '--', UNSHARE, ...ns, '--', '/bin/sh', '-c', lines.join('\n')];
}
