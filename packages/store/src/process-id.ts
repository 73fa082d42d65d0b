/**
 * Process identity for stale-lock and temp-root detection: pid plus the kernel's start time of
 * that pid (Linux /proc/<pid>/stat field 22), so a recycled pid is not mistaken for the owner.
 * Where /proc is unavailable the start time is "" and only the pid is compared.
 */
import * as fs from 'node:fs';

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined; // exited, not yet reaped
    return rest[19] ?? '';
  } catch {
    return undefined;
  }
}

const hasProc = fs.existsSync('/proc/self/stat');

export interface ProcessId {
  pid: number;
  start: string;
}

export function selfId(): ProcessId {
  return { pid: process.pid, start: hasProc ? startTimeOf(process.pid) ?? '' : '' };
}

export function formatId(id: ProcessId): string {
  return `${id.pid} ${id.start}`;
}

/** Parses "<pid> <start>", ignoring anything after a further space (e.g. a handle nonce). */
export function parseId(s: string): ProcessId | undefined {
  const m = /^(\d+) (\d*)(?:\s|$)/.exec(s);
  return m ? { pid: Number(m[1]), start: m[2]! } : undefined;
}

export function isAlive(id: ProcessId): boolean {
  if (hasProc) {
    const st = startTimeOf(id.pid);
    return st !== undefined && (id.start === '' || st === id.start);
  }
  try {
    process.kill(id.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (the store API is synchronous). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
