/**
 * Build progress on stderr, from realise's events. Plain (stderr not a terminal) as nix-build
 * prints it: `building '/nix/store/…drv'...` and the builders' log lines. On a terminal: one status
 * line `[n/m built] building NAME` redrawn in place, logs not shown (failures show their tails).
 * Failures of dependencies are printed as they happen; the requested derivations' own errors are
 * left to the caller, who receives them from realise.
 */
import type { RealiseEvent } from '@m/realise';
import type { Output } from './output';
import { renderCommandError } from './store-command-args';

export interface Progress {
  onEvent(e: RealiseEvent): void;
  /** Prints above the status line (e.g. an error). */
  message(s: string): void;
  /** Clears the status line. */
  finish(): void;
}

export interface ProgressOptions {
  out: Output;
  tty: boolean;
  /** Do not print build logs (-Q). */
  quiet: boolean;
  /** Terminal width for the status line. */
  columns?: number;
}

export function createProgress(o: ProgressOptions): Progress {
  const running = new Map<string, { name: string; lastLine: string }>();
  let done = 0;
  let total = 0;
  let statusShown = false;

  const clearStatus = (): void => {
    if (statusShown) o.out.stderr('\r\x1b[K');
    statusShown = false;
  };
  const drawStatus = (): void => {
    if (!o.tty) return;
    clearStatus();
    if (running.size === 0) return;
    const [first] = running.values();
    let s = `[${done}/${total} built] building ${first!.name}`;
    if (running.size > 1) s += ` (+${running.size - 1} more)`;
    if (first!.lastLine) s += `> ${first!.lastLine}`;
    const width = Math.max(20, (o.columns !== undefined && o.columns > 0 ? o.columns : 80) - 1);
    // eslint-disable-next-line no-control-regex
    s = s.replace(/[\x00-\x1f\x7f]/g, ' ');
    if (s.length > width) s = s.slice(0, width);
    o.out.stderr(s);
    statusShown = true;
  };
  const above = (s: string): void => {
    clearStatus();
    o.out.stderr(s);
    drawStatus();
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'build-start':
          total = Math.max(total, e.total);
          running.set(e.drvPath, { name: e.name, lastLine: '' });
          if (o.tty) drawStatus();
          else o.out.stderr(`building '${e.drvPath}'...\n`);
          break;
        case 'log':
          if (o.tty) {
            const r = running.get(e.drvPath);
            if (r && e.line.trim() !== '') {
              r.lastLine = e.line;
              drawStatus();
            }
          } else if (!o.quiet) o.out.stderr(e.line + '\n');
          break;
        case 'build-done':
          done++;
          running.delete(e.drvPath);
          drawStatus();
          break;
        case 'build-failed':
          running.delete(e.drvPath);
          if (!e.topLevel) above(renderCommandError(e.error, false));
          else drawStatus();
          break;
      }
    },
    message: above,
    finish: clearStatus,
  };
}
