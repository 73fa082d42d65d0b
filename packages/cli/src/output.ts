/**
 * Synchronous writers for stdout/stderr that work the same on the main thread and in a worker
 * (they write the file descriptors directly, so output is complete and ordered when the process
 * exits). A closed stdout (EPIPE/EBADF) silently discards further output, as nix-instantiate does.
 */
import { writeSync } from 'node:fs';
import { hasEscapedBytes, utf8 } from '@m/nix-compat';

export interface Output {
  stdout(s: string): void;
  stderr(s: string): void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, s: string, onClosed: () => void): void {
  // Nix strings are bytes: escaped non-UTF-8 bytes are written raw (see @m/nix-compat bytes.ts)
  let buf: Buffer;
  if (hasEscapedBytes(s)) {
    const b = utf8(s);
    buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  } else buf = Buffer.from(s, 'utf8');
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf, 0, buf.length);
      buf = buf.subarray(n);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE' || code === 'EBADF') {
        onClosed();
        return;
      }
      throw e;
    }
  }
}

export function createFdOutput(stdoutFd = 1, stderrFd = 2): Output {
  let stdoutOpen = true;
  let stderrOpen = true;
  return {
    stdout(s) {
      if (stdoutOpen && s.length > 0) writeAll(stdoutFd, s, () => { stdoutOpen = false; });
    },
    stderr(s) {
      if (stderrOpen && s.length > 0) writeAll(stderrFd, s, () => { stderrOpen = false; });
    },
  };
}

/** Characters already written to each stream (counted by countingOutput). */
export interface OutputCounts {
  stdout: number;
  stderr: number;
}

/** `out`, counting the characters written through it into `counts`. */
export function countingOutput(out: Output, counts: OutputCounts): Output {
  return {
    stdout(s) {
      out.stdout(s);
      counts.stdout += s.length;
    },
    stderr(s) {
      out.stderr(s);
      counts.stderr += s.length;
    },
  };
}

/**
 * `out` without the first `skip.stdout` and `skip.stderr` characters of each stream: a rerun of a
 * deterministic job prints what an earlier attempt printed before it gave up only once.
 */
export function skippingOutput(out: Output, skip: OutputCounts): Output {
  let left = { ...skip };
  const pass = (s: string, stream: keyof OutputCounts): string => {
    const n = left[stream];
    if (n === 0) return s;
    left = { ...left, [stream]: Math.max(0, n - s.length) };
    return n >= s.length ? '' : s.slice(n);
  };
  return {
    stdout: (s) => out.stdout(pass(s, 'stdout')),
    stderr: (s) => out.stderr(pass(s, 'stderr')),
  };
}
