/**
 * Runs one sandbox process with stdout and stderr on a single pipe (so the log keeps their order),
 * streaming lines, enforcing the overall and the silence timeouts, and honouring an abort signal.
 * Killing means SIGKILL to the process group; the sandbox's PID 1 dies with it (die-with-parent),
 * which tears down its PID namespace.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { LOG_TAIL_LINES } from './request';

export interface ProcessOutcome {
  /** Exit code, or 128 + signal number when killed by a signal. */
  exitCode: number;
  signal?: NodeJS.Signals;
  /** Why we killed it, if we did. */
  killed?: 'timeout' | 'silence' | 'aborted';
  log: string;
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
  signal?: AbortSignal;
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
    const chunks: Buffer[] = [];
    const tail: string[] = [];
    let partial = '';
    const decoder = new StringDecoder('utf8');
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
    };
    const pushLine = (line: string): void => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      spec.onLog?.(line);
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
      chunks.push(b);
      armSilence();
      const lines = (partial + decoder.write(b)).split('\n');
      partial = lines.pop()!;
      for (const l of lines) pushLine(l);
    });
    child.on('error', (e) => {
      cleanup();
      reject(e);
    });
    child.on('close', (code, sig) => {
      cleanup();
      partial += decoder.end();
      if (partial !== '') pushLine(partial);
      const exitCode = code ?? 128 + signalNumber(sig);
      resolve({ exitCode, signal: sig ?? undefined, killed, log: Buffer.concat(chunks).toString('utf8'), logTail: tail });
    });

    function cleanup(): void {
      if (silenceTimer) clearTimeout(silenceTimer);
      if (totalTimer) clearTimeout(totalTimer);
      spec.signal?.removeEventListener('abort', onAbort);
    }
  });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig ? ((constants.signals as Record<string, number>)[sig] ?? 0) : 0;
}
