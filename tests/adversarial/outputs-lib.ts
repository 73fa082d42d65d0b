/**
 * Helpers of the output and log adversarial tests: `m` run as `node m.js` (so the pid is m's own
 * process) with its peak RSS sampled, a probe derivation, and store inspection.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../lib/run';

export const M_JS = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'm.js');
export const MiB = 1024 * 1024;

export interface Run {
  code: number;
  stderr: string;
  stdoutBytes: number;
  ms: number;
  /** Peak resident set of the m process (VmHWM, KiB). */
  peakKiB: number;
}

export interface Work {
  dir: string;
  /** probe.nix: `{ script, name ? "probe" }: derivation { … builder = "/bin/sh"; args = [ "-c" script ]; }` */
  probe: string;
  remove(): void;
}

export function makeWork(tag: string): Work {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `m-adv-${tag}-`));
  const probe = path.join(dir, 'probe.nix');
  fs.writeFileSync(
    probe,
    '{ script, name ? "probe" }: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" script ]; }\n',
  );
  return { dir, probe, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function peakRss(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `node m.js ARGS` (so the pid is m's own process), counting stdout bytes without keeping
 * them, sampling its peak RSS, and killing it after `timeoutMs`.
 */
export function runM(work: Work, args: string[], opts: { timeoutMs: number; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(process.execPath, [M_JS, ...args], {
      cwd: work.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work.dir, LANG: 'C.UTF-8', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutBytes = 0;
    const err: Buffer[] = [];
    let peakKiB = 0;
    const sample = (): void => {
      peakKiB = Math.max(peakKiB, peakRss(child.pid!) ?? 0);
    };
    const sampler = setInterval(sample, 100);
    child.stdout.on('data', (b: Buffer) => {
      stdoutBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('exit', sample);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 128), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes, ms: Date.now() - start, peakKiB });
    });
  });
}

export function build(work: Work, store: string, name: string, script: string, extra: string[] = [], timeoutMs = 60_000): Promise<Run> {
  return runM(work, ['build', '--store', store, '--no-out-link', work.probe, '--argstr', 'name', name, '--argstr', 'script', script, ...extra], { timeoutMs });
}

/** Store entries (not `.m`) and leftovers in the store's temp space. */
export function storeState(store: string): { entries: string[]; temp: string[] } {
  const entries = fs.readdirSync(store).filter((e) => e !== '.m');
  const tmp = path.join(store, '.m', 'tmp');
  return { entries, temp: fs.existsSync(tmp) ? fs.readdirSync(tmp) : [] };
}

/** m's own CPU time (all its threads, not the builder's) as `M_TIMING=1` reports it at exit. */
export function cpuAtExit(stderr: string): number {
  const m = /\[m timing\]\s+[\d.]+ ms wall\s+(\d+) ms cpu\s+main\s+exit/.exec(stderr);
  if (!m) throw new Error(`no timing line in: ${stderr.slice(-2000)}`);
  return Number(m[1]);
}
