/**
 * Stops this process's child processes (curl, git, xz, … that a blocked evaluation worker waits
 * for in a synchronous spawn). `worker.terminate()` takes effect only when the worker runs
 * JavaScript again, so a signal sent to m alone (not to its process group, as Ctrl-C would be)
 * would otherwise wait for a stalled download to give up. Linux: /proc/self/task/<tid>/children.
 */
import * as fs from 'node:fs';

export function stopChildProcesses(signal: NodeJS.Signals = 'SIGTERM'): void {
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const t of tasks) {
    let kids: string;
    try {
      kids = fs.readFileSync(`/proc/self/task/${t}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const p of kids.split(/\s+/)) {
      if (!/^\d+$/.test(p)) continue;
      try {
        process.kill(Number(p), signal);
      } catch {
        // already gone
      }
    }
  }
}
