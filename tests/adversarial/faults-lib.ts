/**
 * Helpers of the fault-injection tests: `m` as a background process that can be signalled, small
 * derivations that carry a marker (to find their processes afterwards), store inspection, and a
 * seeded random source so that a failing run can be replayed (M_FAULT_SEED).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { M_BIN, hasJsStackTrace } from '../lib/run';

export interface Proc {
  child: ChildProcess;
  /** Resolves when the process ended: exit code (128 + signal when killed), output. */
  done: Promise<{ code: number; stdout: string; stderr: string; ms: number }>;
  stderr(): string;
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function workDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `m-fault-${tag}-`));
}

/** Removes a work directory (store trees are read-only). */
export function removeWork(dir: string): void {
  spawnSync('chmod', ['-R', 'u+w', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Starts `m ARGS` with M_STORE = `store`. */
export function startM(args: string[], opts: { cwd: string; store: string; home?: string }): Proc {
  const start = Date.now();
  const child = spawn(M_BIN, args, {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.home ?? opts.cwd, LANG: 'C.UTF-8', M_STORE: opts.store },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const done = new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((resolve) => {
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 128 + (SIGNALS[signal ?? ''] ?? 0),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - start,
      }),
    );
  });
  return { child, done, stderr: () => Buffer.concat(err).toString('utf8') };
}

/** Runs `m ARGS` to completion (killed after `timeoutMs`). */
export async function runM(args: string[], opts: { cwd: string; store: string; timeoutMs?: number }) {
  const p = startM(args, opts);
  const t = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const r = await p.done;
  clearTimeout(t);
  return r;
}

/** Waits until `cond()` holds (polling), or throws after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `probe.nix`: one derivation per call, its builder a shell script. */
export const PROBE = `{ script, name ? "probe" }: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" script ]; }\n`;

/** Pids of live processes whose command line contains `marker` (excluding zombies). */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'latin1');
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'latin1');
      if (cmd.includes(marker) && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') pids.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** Asserts (after a short grace period for teardown) that no process carrying `marker` is left. */
export async function noProcessLeft(marker: string): Promise<void> {
  await until(() => processesWith(marker).length === 0, 5_000, `processes with '${marker}' to end`).catch(() => {
    throw new Error(`processes left behind: ${processesWith(marker).join(', ')}`);
  });
}

/** Entries of a store's `.m/<sub>` directory (empty when absent). */
export function metaEntries(store: string, sub: 'tmp' | 'locks' | 'temproots'): string[] {
  try {
    return fs.readdirSync(path.join(store, '.m', sub));
  } catch {
    return [];
  }
}

/** Store entries (`<hash>-<name>`) in the physical store. */
export function storeEntries(store: string): string[] {
  try {
    return fs.readdirSync(store).filter((n) => n !== '.m');
  } catch {
    return [];
  }
}

/** A clean error: `error: …` on stderr, no JavaScript stack. */
export function cleanError(stderr: string): boolean {
  return /^error: /m.test(stderr) && !hasJsStackTrace(stderr) && !/internal error/.test(stderr);
}

/** mulberry32: a small seeded generator (seed from M_FAULT_SEED, else random and printed). */
export function seededRandom(tag: string): () => number {
  let a = Number(process.env.M_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
  process.stdout.write(`${tag}: M_FAULT_SEED=${a}\n`);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True when this process may mount file systems (root, as in CI). */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = workDir('mountprobe');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}
