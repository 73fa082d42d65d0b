/** Shared by the process tests: a fresh bundle, and running `m` and real nix-instantiate. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('../../..', import.meta.url).pathname;
export const bin = join(root, 'packages/cli/bin/m.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Newest modification time under a directory. */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

function bundleIsStale(): boolean {
  const outputs = ['m.js', 'm-worker.cjs', 'm-worker-bundle.cjs', 'm-eval-bundle.cjs'].map((f) => join(root, 'packages/cli/dist', f));
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const pkgs = join(root, 'packages');
  return readdirSync(pkgs).some((p) => existsSync(join(pkgs, p, 'src')) && newest(join(pkgs, p, 'src')) > built);
}

/** Rebuilds dist/ when any package source is newer (the build replaces files atomically). */
export function ensureBuilt(): void {
  if (bundleIsStale()) execFileSync(process.execPath, [join(root, 'packages/cli/build.mjs')], { stdio: 'inherit' });
}

export function runM(args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): RunResult {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd, input: opts.input, encoding: 'utf8', env: { ...process.env, ...opts.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runNix(args: string[], opts: { cwd: string; input?: string }): RunResult {
  const r = spawnSync('nix-instantiate', args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** True once the evaluator answers `--eval -E 1` (tests needing it are skipped before). */
export function evaluatorReady(cwd: string, env?: NodeJS.ProcessEnv): boolean {
  return runM(['instantiate', '--eval', '-E', '1'], { cwd, env }).stdout === '1\n';
}
