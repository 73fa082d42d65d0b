/**
 * Host-side directories a sandboxed build uses, all inside the build's temp directory:
 *   build/   the build directory, /build inside
 *   store/   the sandbox's store directory (writable, sticky); inputs are bound read-only on top,
 *            outputs are created here by the builder and picked up afterwards
 *   tmp/     /tmp inside (world-writable, as Nix provides)
 *   etc/     passwd, group, hosts / nsswitch.conf
 *   root/    mount point of the sandbox root (unshare only; empty on the host)
 *   stage/   mount point of the staging tree (root only; empty on the host, see sandbox-root.ts)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { etcGroup, etcHosts, etcNsswitch, etcPasswd } from './sandbox-files';

export interface SandboxLayout {
  tempDir: string;
  buildDir: string;
  storeDir: string;
  tmpDir: string;
  etcDir: string;
  rootDir: string;
  stageDir: string;
}

export function createSandboxLayout(tempDir: string, fixedOutput: boolean): SandboxLayout {
  const l: SandboxLayout = {
    tempDir,
    buildDir: path.join(tempDir, 'build'),
    storeDir: path.join(tempDir, 'store'),
    tmpDir: path.join(tempDir, 'tmp'),
    etcDir: path.join(tempDir, 'etc'),
    rootDir: path.join(tempDir, 'root'),
    stageDir: path.join(tempDir, 'stage'),
  };
  fs.mkdirSync(l.buildDir, { mode: 0o700 });
  fs.mkdirSync(l.storeDir);
  fs.chmodSync(l.storeDir, 0o1775);
  fs.mkdirSync(l.tmpDir);
  fs.chmodSync(l.tmpDir, 0o1777);
  fs.mkdirSync(l.etcDir);
  fs.mkdirSync(l.rootDir);
  fs.mkdirSync(l.stageDir);
  fs.writeFileSync(path.join(l.etcDir, 'passwd'), etcPasswd());
  fs.writeFileSync(path.join(l.etcDir, 'group'), etcGroup());
  if (fixedOutput) fs.writeFileSync(path.join(l.etcDir, 'nsswitch.conf'), etcNsswitch());
  else fs.writeFileSync(path.join(l.etcDir, 'hosts'), etcHosts());
  return l;
}

/** The files of `etc/` (each becomes /etc/<name> inside). */
export function etcFiles(fixedOutput: boolean): string[] {
  return ['passwd', 'group', fixedOutput ? 'nsswitch.conf' : 'hosts'];
}

/** Host files a fixed-output build sees (if they exist), for name resolution. */
export const NETWORK_ETC_FILES = ['/etc/resolv.conf', '/etc/services', '/etc/hosts'];

/**
 * Hands the directories the builder writes to the build user (root only): the build directory
 * with its files, the sandbox's store and /tmp.
 */
export function chownLayout(l: SandboxLayout, uid: number, gid: number): void {
  for (const d of [l.buildDir, l.storeDir, l.tmpDir]) fs.chownSync(d, uid, gid);
  for (const f of fs.readdirSync(l.buildDir)) fs.lchownSync(path.join(l.buildDir, f), uid, gid);
}

/** One store path of the input closure: a symlink entry is recreated as a symlink, never bound. */
export interface SandboxInput {
  logical: string;
  physical: string;
  /** The link's target when the store entry is a symlink. */
  symlink?: string;
}

/** A sandbox path bound from the host: `optional` when the host path ended in '?'. */
export interface HostBind {
  target: string;
  source: string;
  optional: boolean;
}

export function sandboxBinds(sandboxPaths: Record<string, string>): HostBind[] {
  return Object.entries(sandboxPaths).map(([target, src]) => {
    const optional = src.endsWith('?');
    return { target, source: optional ? src.slice(0, -1) : src, optional };
  });
}
