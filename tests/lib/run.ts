// Helpers that run `m instantiate …` and the real `nix-instantiate …` as
// subprocesses, the same way a user would, with controlled environments and
// at most two subprocesses at a time per test process (the machines have 2 cores).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status; 128 + signal number when killed by a signal. */
  code: number;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  /** Bytes written to the child's stdin (stdin is empty otherwise). */
  stdin?: string | Buffer;
  /** Extra variables merged over the controlled base environment. */
  env?: Record<string, string | undefined>;
  /** NIX_PATH for the child; unset when omitted. */
  nixPath?: string;
  /** HOME for the child; a fixed empty temp folder when omitted. */
  home?: string;
  /** Kill the child after this many ms (default 120 s). */
  timeoutMs?: number;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `m` binary: $M_BIN, else node_modules/.bin/m of the repository. */
export const M_BIN = process.env.M_BIN ?? join(REPO_ROOT, 'node_modules', '.bin', 'm');

/** Absolute path of nix-instantiate, or undefined when it is not installed. */
export const NIX_INSTANTIATE: string | undefined = findOnPath('nix-instantiate');

export const hasNix = NIX_INSTANTIATE !== undefined;

/** Why nix-dependent tests are skipped, or undefined when nix is present. */
export const nixMissingReason = hasNix
  ? undefined
  : 'nix-instantiate not found on PATH: tests that compare with real Nix are skipped';

/** True when `m` has been built (`pnpm build`). */
export function mIsBuilt(): boolean {
  return existsSync(M_BIN) && existsSync(join(REPO_ROOT, 'packages', 'cli', 'dist', 'm.js'));
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// ---- limited parallelism --------------------------------------------------

const MAX_PARALLEL = Number(process.env.M_TEST_JOBS ?? 2);
let running = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

// ---- environments ---------------------------------------------------------

let sharedHome: string | undefined;
function defaultHome(): string {
  if (!sharedHome) {
    sharedHome = mkdtempSync(join(tmpdir(), 'm-test-home-'));
    process.on('exit', () => rmSync(sharedHome!, { recursive: true, force: true }));
  }
  return sharedHome;
}

let sharedStore: string | undefined;
/** A fresh, per-test-process store folder for m (M_STORE), removed at exit. */
export function mStoreDir(): string {
  if (!sharedStore) {
    sharedStore = mkdtempSync(join(tmpdir(), 'm-test-store-'));
    mkdirSync(join(sharedStore, 'store'), { recursive: true });
    process.on('exit', () => rmSync(sharedStore!, { recursive: true, force: true }));
  }
  return sharedStore;
}

/** The variables both tools see: only what is needed, nothing from the user's shell. */
function baseEnv(opts: RunOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: opts.home ?? defaultHome(),
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
  if (opts.nixPath !== undefined) env.NIX_PATH = opts.nixPath;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

// ---- running ---------------------------------------------------------------

/** Runs any command with the controlled environment, in the shared 2-slot pool. */
export function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}, env?: Record<string, string>): Promise<RunResult> {
  const childEnv = env ?? baseEnv(opts);
  return withSlot(
    () =>
      new Promise<RunResult>((resolvePromise) => {
        const start = Date.now();
        const child = spawn(cmd, args, { cwd: opts.cwd, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
        child.on('error', (e) => {
          clearTimeout(timer);
          resolvePromise({ stdout: '', stderr: `failed to start ${cmd}: ${e.message}\n`, code: 127, ms: Date.now() - start });
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const sig = signal ? 128 + (signalNumbers[signal] ?? 0) : undefined;
          resolvePromise({
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            code: code ?? sig ?? 1,
            ms: Date.now() - start,
          });
        });
        child.stdin.on('error', () => {});
        child.stdin.end(opts.stdin ?? '');
      }),
  );
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/** `m instantiate ARGS`, with M_STORE pointing at a fresh temp store folder. */
export function runM(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = baseEnv(opts);
  if (!opts.env || !('M_STORE' in opts.env)) env.M_STORE = mStoreDir();
  return runCommand(M_BIN, ['instantiate', ...args], opts, env);
}

/** The real `nix-instantiate ARGS` (uses the machine's /nix/store). */
export function runNix(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (!NIX_INSTANTIATE) throw new Error(nixMissingReason);
  return runCommand(NIX_INSTANTIATE, args, opts);
}

// ---- checks on stderr ------------------------------------------------------

/** Frames or error names that betray a JavaScript stack trace leaking to the user. */
// JS frames are indented exactly four spaces ("    at f (file:1:2)"); Nix's own
// position lines use seven ("       at «string»:1:1:") and so never match.
const JS_TRACE = /^ {4}at \S|\b(RangeError|TypeError|ReferenceError|SyntaxError|InternalError)\b|node:internal/m;

export function hasJsStackTrace(stderr: string): boolean {
  return JS_TRACE.test(stderr);
}

/** `FILE:LINE:COL` (or «string»:LINE:COL / (stdin):LINE:COL) somewhere in stderr. */
export function hasPosition(stderr: string): boolean {
  return /:\d+:\d+/.test(stderr);
}

/** Synchronous probe used at collection time (e.g. to list what real nix does). */
export function nixVersion(): string | undefined {
  if (!NIX_INSTANTIATE) return undefined;
  const r = spawnSync(NIX_INSTANTIATE, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
