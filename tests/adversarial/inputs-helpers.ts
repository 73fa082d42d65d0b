/**
 * Shared by the hostile-input suites (inputs-*.test.ts): a private work folder (HOME and cwd of
 * every run) whose contents are snapshotted before and after each case, and the checks every
 * refused input must pass: `error:` on stderr, the expected exit status, a FILE:LINE:COL position
 * where one exists, no JavaScript stack, no hang (every run has a kill timeout).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { hasJsStackTrace, hasPosition, M_BIN, runCommand, runNix, type RunResult } from '../lib/run';

/** Kill timeout of one run: generous for a loaded 2-core machine, far below a hang. */
export const RUN_TIMEOUT_MS = 90_000;

export function workDir(prefix: string): { dir: string; home: string; store: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(dir, 'home');
  const store = path.join(dir, 'm-store');
  fs.mkdirSync(home);
  fs.mkdirSync(path.join(store, 'store'), { recursive: true });
  return { dir, home, store, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every entry below `root` (except `skip`ped subtrees) with its type and size. */
export function snapshot(root: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return;
    }
    out.push(`${rel}\t${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : `f${st.size}`}`);
    if (!st.isDirectory() || skip.includes(rel)) return;
    for (const n of fs.readdirSync(abs).sort()) walk(path.join(abs, n), rel ? `${rel}/${n}` : n);
  };
  walk(root, '');
  return out;
}

export interface Expect {
  /** Exit status (1 unless told). */
  code?: number;
  /** The error message (stderr) must match. */
  msg?: RegExp;
  /** A FILE:LINE:COL position must be shown (true unless told). */
  pos?: boolean;
}

/** The checks every refused input must pass. */
export function expectRefused(r: RunResult, e: Expect = {}): void {
  const ctx = `stderr: ${r.stderr.slice(0, 2000)}`;
  expect(hasJsStackTrace(r.stderr), ctx).toBe(false);
  expect(r.stderr, ctx).toMatch(/^error: /m);
  expect(r.code, ctx).toBe(e.code ?? 1);
  if (e.pos ?? true) expect(hasPosition(r.stderr), ctx).toBe(true);
  if (e.msg) expect(r.stderr, ctx).toMatch(e.msg);
}

/** Runs the real `m` with `args` in `cwd`, HOME and M_STORE given. */
export function runMIn(args: readonly string[], w: { dir: string; home: string; store: string }, opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: opts.cwd ?? w.dir, home: w.home, env: { M_STORE: w.store, ...opts.env }, stdin: opts.stdin, timeoutMs: RUN_TIMEOUT_MS });
}

/** nix-instantiate's first `error:` line, m's name for itself replaced, for comparison. */
export function firstErrorLine(stderr: string): string {
  return (stderr.split('\n').find((l) => l.startsWith('error:')) ?? '').replace(/'nix-instantiate --help'/, "'m instantiate --help'");
}

/** Runs nix-instantiate with the same arguments and checks m agrees on exit status and first error line. */
export async function expectSameAsNix(mResult: RunResult, nixArgs: readonly string[], cwd: string, compareMessage = true): Promise<void> {
  const n = await runNix(nixArgs, { cwd, timeoutMs: RUN_TIMEOUT_MS });
  expect(mResult.code, `nix said: ${n.stderr.slice(0, 500)}\nm said: ${mResult.stderr.slice(0, 500)}`).toBe(n.code);
  if (compareMessage) expect(firstErrorLine(mResult.stderr)).toBe(firstErrorLine(n.stderr));
  if (n.code === 0) expect(mResult.stdout).toBe(n.stdout);
}

/** A Nix string literal denoting exactly the JS string `s`. */
export function nixStr(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}
