/**
 * Running a sandbox tool as the build user when m runs as root.
 *
 * The unprivileged build user may not be able to reach the store or the build's temp directory
 * (they may live under a 0700 directory such as /root). So a host shell, as root in a private mount
 * namespace of its own (no user namespace), mounts a tmpfs, binds into it what the sandbox needs
 * (the physical store read-only, the layout's directories, the sandbox paths), moves that staging
 * tree over /tmp (in that namespace only), and then drops to the build user — no capabilities, an
 * empty bounding set, no_new_privs, empty environment — before exec'ing the sandbox tool with
 * sources under /tmp.
 */
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

export function stagedSources(binds: HostBind[]): SandboxSources {
  return {
    store: `${STAGE}/pstore`,
    build: `${STAGE}/build`,
    out: `${STAGE}/out`,
    tmp: `${STAGE}/tmp`,
    etc: `${STAGE}/etc`,
    binds: binds.map((_, i) => `${STAGE}/sp/${i}`),
  };
}

export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `setpriv` arguments that become `user` with no privileges at all. */
export function dropToUser(user: BuildUser): string[] {
  return [
    SETPRIV, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups',
    '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--',
  ];
}

/** Shell lines binding `src` at "$S"`target` (read-only when asked). */
function stageBind(src: string, target: string, ro: boolean, optional = false): string {
  const t = `"$S"${q(target)}`;
  const make = `if [ -d ${q(src)} ]; then mkdir -p ${t}; else touch ${t}; fi`;
  const body = `${make}; mount --bind ${q(src)} ${t}${ro ? `; mount -o remount,bind,ro ${t}` : ''}`;
  return optional ? `if [ -e ${q(src)} ]; then ${body}; fi` : body;
}

/**
 * The physical store, read-only: bound whole when others may traverse it, else entry by entry
 * (only the inputs bound, not symlinks: those are recreated, never followed).
 */
function stageStore(physicalStore: string, inputs: SandboxInput[]): string[] {
  if (fs.statSync(physicalStore).mode & 0o001) return [stageBind(physicalStore, '/pstore', true)];
  const names = inputs.filter((i) => i.symlink === undefined).map((i) => q(path.basename(i.physical)));
  if (names.length === 0) return ['mkdir "$S/pstore"'];
  return [
    'mkdir "$S/pstore"',
    `P=${q(physicalStore)}`,
    `for e in ${names.join(' ')}; do if [ -d "$P/$e" ]; then mkdir "$S/pstore/$e"; else touch "$S/pstore/$e"; fi; mount --bind "$P/$e" "$S/pstore/$e"; done`,
  ];
}

/**
 * `unshare` arguments (as root) that stage the sources and exec `command` as `user`.
 * `nsFlags` are extra namespaces for the staging process itself (the unshare fallback's).
 */
export function stagedCommand(
  req: { physicalStore: string },
  l: SandboxLayout,
  inputs: SandboxInput[],
  binds: HostBind[],
  user: BuildUser,
  command: string[],
  nsFlags: string[] = [],
): string[] {
  const staged = stagedSources(binds);
  const lines = [
    'set -e',
    `S=${q(l.stageDir)}`,
    'mount -t tmpfs -o mode=0755 none "$S"',
    'mkdir "$S/sp"',
    ...stageStore(req.physicalStore, inputs),
    stageBind(l.buildDir, '/build', false),
    stageBind(l.storeDir, '/out', false),
    stageBind(l.tmpDir, '/tmp', false),
    stageBind(l.etcDir, '/etc', true),
    ...binds.map((b, i) => stageBind(b.source, staged.binds[i]!.slice(STAGE.length), true, b.optional)),
    `mount --move "$S" ${STAGE}`,
    `exec ${[ENV, '-i', ...dropToUser(user), ...command].map(q).join(' ')}`,
  ];
  return ['--mount', '--propagation', 'private', ...nsFlags, '--', '/bin/sh', '-c', lines.join('\n')];
}

/** The host tools the root path needs. */
export function rootToolsPresent(): boolean {
  return fs.existsSync(SETPRIV) && fs.existsSync(UNSHARE);
}
