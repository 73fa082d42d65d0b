/** Test helpers: temp stores and a bare bubblewrap sandbox holding only given store paths. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Store } from '@m/store';

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `m-hostpkgs-${tag}-`));
}

export function rmrf(p: string): void {
  if (!fs.existsSync(p)) return;
  spawnSync('chmod', ['-R', 'u+w', p]);
  fs.rmSync(p, { recursive: true, force: true });
}

export const hasBwrap = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` in a sandbox whose file system is nothing but the store paths `paths` (at their
 * logical locations), /proc and /dev: no host /lib, /usr or /bin.
 */
export function runBare(store: Store, paths: string[], argv: string[], opts: { env?: Record<string, string>; input?: string } = {}): RunResult {
  const args = ['--unshare-all', '--clearenv'];
  for (const p of paths) args.push('--ro-bind', store.realPath(p), p);
  args.push('--proc', '/proc', '--dev', '/dev');
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--setenv', k, v);
  const r = spawnSync('bwrap', [...args, ...argv], { encoding: 'utf8', input: opts.input ?? '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file the dynamic linker tried or loaded according to LD_DEBUG=libs output. */
export function loadedFiles(ldDebug: string): string[] {
  const out: string[] = [];
  for (const line of ldDebug.split('\n')) {
    const m = /(?:trying file=|calling init: )(\S+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}
