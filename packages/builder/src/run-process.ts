/**
 * Runs one sandbox process with stdout and stderr on a single pipe (so the log keeps their order),
 * streaming lines, enforcing the overall and the silence timeouts, and honouring an abort signal.
 * Killing means SIGKILL to the process group; the sandbox's PID 1 dies with it (die-with-parent),
 * which tears down its PID namespace.
 *
 * Memory stays bounded whatever the builder prints: the raw bytes go straight to `logFile`
 * (synchronous writes, so nothing queues up), and only the last LOG_TAIL_LINES lines, each at
 * most MAX_LOG_LINE long, are kept.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { constants } from 'node:os';
import { createLineSplitter } from './log-lines';
import { LOG_TAIL_LINES } from './request';

export interface ProcessOutcome {
  /** Exit code, or 128 + signal number when killed by a signal. */
  exitCode: number;
  signal?: NodeJS.Signals;
  /** Why we killed it, if we did. */
  killed?: 'timeout' | 'silence' | 'aborted';
  logTail: string[];
}

export interface ProcessSpec {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  timeoutSeconds?: number;
  maxSilentSeconds?: number;
  onLog?(line: string): void;
  /** The whole output, as raw bytes, is written to this file (created or truncated) as it arrives. */
  logFile?: string;
  signal?: AbortSignal;
  /** Called after the process group is killed, to reach processes that left it (e.g. a sandbox's). */
  onKill?(): void;
}

export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    // The host shell only joins stderr to stdout and then becomes the program (exec).
    const child = spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', spec.program, ...spec.args], {
      env: spec.env,
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const tail: string[] = [];
    const lines = createLineSplitter((line) => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      spec.onLog?.(line);
    });
    let logFd = openLog(spec.logFile);
    let killed: ProcessOutcome['killed'];
    let silenceTimer: NodeJS.Timeout | undefined;
    let totalTimer: NodeJS.Timeout | undefined;

    const kill = (why: NonNullable<ProcessOutcome['killed']>): void => {
      if (killed === undefined) killed = why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      spec.onKill?.();
    };
    const armSilence = (): void => {
      if (!spec.maxSilentSeconds) return;
      if (silenceTimer) clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => kill('silence'), spec.maxSilentSeconds * 1000);
    };
    const onAbort = (): void => kill('aborted');

    armSilence();
    if (spec.timeoutSeconds) totalTimer = setTimeout(() => kill('timeout'), spec.timeoutSeconds * 1000);
    if (spec.signal) {
      if (spec.signal.aborted) onAbort();
      else spec.signal.addEventListener('abort', onAbort, { once: true });
    }

    child.stdout!.on('data', (b: Buffer) => {
      armSilence();
      if (logFd !== undefined && !writeAll(logFd, b)) logFd = closeLog(logFd);
      lines.write(b);
    });
    child.on('error', (e) => {
      cleanup();
      reject(e);
    });
    child.on('close', (code, sig) => {
      cleanup();
      lines.end();
      const exitCode = code ?? 128 + signalNumber(sig);
      resolve({ exitCode, signal: sig ?? undefined, killed, logTail: tail });
    });

    function cleanup(): void {
      if (logFd !== undefined) logFd = closeLog(logFd);
      if (silenceTimer) clearTimeout(silenceTimer);
      if (totalTimer) clearTimeout(totalTimer);
      spec.signal?.removeEventListener('abort', onAbort);
    }
  });
}

/** A log that cannot be written must not fail the build: it is then simply not kept. */
function openLog(file: string | undefined): number | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.openSync(file, 'w', 0o644);
  } catch {
    return undefined;
  }
}

function closeLog(fd: number): undefined {
  try {
    fs.closeSync(fd);
  } catch {
    /* nothing to do */
  }
  return undefined;
}

function writeAll(fd: number, b: Buffer): boolean {
  try {
    for (let off = 0; off < b.length; ) off += fs.writeSync(fd, b, off, b.length - off);
    return true;
  } catch {
    return false;
  }
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig ? ((constants.signals as Record<string, number>)[sig] ?? 0) : 0;
}
