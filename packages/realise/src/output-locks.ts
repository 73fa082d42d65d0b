/**
 * Taking the per-output locks of a derivation without blocking the event loop for long.
 *
 * The store's lockPaths blocks synchronously until the locks are free; another process may hold
 * one for a whole build. So while a lock file exists and names a live process we wait
 * asynchronously (other builds of this process keep streaming), and only call lockPaths once the
 * locks look free or stale (lockPaths itself breaks stale locks safely).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Release, Store } from '@m/store';

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return rest[19] ?? '';
  } catch {
    return undefined;
  }
}

/** True when the lock file exists and its holder ("<pid> <starttime>") is alive and not us. */
function heldByOther(lockFile: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch {
    return false;
  }
  const m = /^(\d+) (\d*)/.exec(text);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  const st = startTimeOf(pid);
  return st !== undefined && (m[2] === '' || st === m[2]);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Waits until the locks of `paths` can be taken, or until `done()` says there is nothing left to
 * do (e.g. another process made the outputs valid); returns the release function, or undefined
 * when `done()` became true or `signal` fired.
 */
export async function lockOutputs(
  store: Store,
  paths: string[],
  done: () => boolean,
  signal?: AbortSignal,
): Promise<Release | undefined> {
  const files = paths.map((p) => path.join(store.layout.locks, `${path.basename(store.realPath(p))}.lock`));
  for (let i = 0; ; i++) {
    if (signal?.aborted || done()) return undefined;
    if (!files.some(heldByOther)) return store.lockPaths(paths);
    await sleep(Math.min(20 + i * 10, 250), signal);
  }
}
