/**
 * Command line for running a build under util-linux unshare, the fallback when bwrap is unusable.
 * An outer user namespace (root inside) with new PID, mount, IPC, UTS and — unless fixed-output —
 * network namespaces runs a host shell script that assembles the sandbox root with bind mounts; it
 * then enters a nested user namespace as uid 1000 / gid 100, chroots and execs the builder with
 * exactly its environment. setpriv makes the whole thing die with its parent; the builder is PID 1
 * of the namespace, so its exit tears down every other process of the build.
 */
import * as fs from 'node:fs';
import { type BuildRequest, SANDBOX_BUILD_DIR, SANDBOX_GID, SANDBOX_UID } from './request';
import { type SandboxLayout, NETWORK_ETC_FILES, sandboxBinds } from './sandbox-layout';

export const UNSHARE = '/usr/bin/unshare';
export const SETPRIV = '/usr/bin/setpriv';

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Arguments for SETPRIV. */
export function unshareArgs(req: BuildRequest, layout: SandboxLayout, env: Record<string, string>, physicalInputs: Map<string, string>, sandboxPaths: Record<string, string>): string[] {
  const R = layout.rootDir;
  const lines: string[] = ['set -e', `R=${q(R)}`, 'mount -t tmpfs -o mode=0755 none "$R"'];
  const bind = (src: string, target: string, ro: boolean, optional = false): void => {
    const t = `"$R"${q(target)}`;
    const make = `if [ -d ${q(src)} ]; then mkdir -p ${t}; else mkdir -p "$(dirname ${t})"; touch ${t}; fi`;
    const body = `${make}; mount --bind ${q(src)} ${t}${ro ? `; mount -o remount,bind,ro ${t}` : ''}`;
    lines.push(optional ? `if [ -e ${q(src)} ]; then ${body}; fi` : body);
  };
  bind(layout.storeDir, req.storeDir, false);
  for (const [logical, physical] of physicalInputs) bind(physical, logical, true);
  bind(layout.buildDir, SANDBOX_BUILD_DIR, false);
  bind(layout.tmpDir, '/tmp', false);
  for (const f of ['passwd', 'group', 'hosts', 'nsswitch.conf']) {
    const p = `${layout.etcDir}/${f}`;
    if (fs.existsSync(p)) bind(p, `/etc/${f}`, true);
  }
  if (req.fixedOutput) for (const f of NETWORK_ETC_FILES) if (fs.existsSync(f)) bind(f, f, true);
  for (const n of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) bind(`/dev/${n}`, `/dev/${n}`, false);
  lines.push(
    'mkdir -p "$R/dev/shm" "$R/proc"',
    'mount -t tmpfs -o mode=1777 none "$R/dev/shm"',
    'ln -s /proc/self/fd "$R/dev/fd"',
    'ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
    'mount -t proc proc "$R/proc"',
  );
  for (const b of sandboxBinds(sandboxPaths)) bind(b.source, b.target, true, b.optional);
  lines.push('hostname localhost');
  if (!req.fixedOutput) lines.push('ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null || true');
  lines.push('mount -o remount,ro "$R/dev"' + ' 2>/dev/null || true', 'mount -o remount,ro "$R"');
  const envArgs = Object.entries(env).map(([k, v]) => q(`${k}=${v}`));
  lines.push(
    `exec env -i ${envArgs.join(' ')} ${UNSHARE} --user --map-user=${SANDBOX_UID} --map-group=${SANDBOX_GID} --root="$R" --wd=${SANDBOX_BUILD_DIR} -- ${[req.builder, ...req.args].map(q).join(' ')}`,
  );
  const ns = ['--user', '--map-root-user', '--pid', '--fork', '--kill-child', '--mount', '--ipc', '--uts'];
  if (!req.fixedOutput) ns.push('--net');
  return ['--pdeathsig', 'KILL', '--', UNSHARE, ...ns, '--', '/bin/sh', '-c', lines.join('\n')];
}
