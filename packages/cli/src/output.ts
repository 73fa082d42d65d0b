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
