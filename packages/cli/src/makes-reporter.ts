/**
 * Progress of `m PROJECT /output` on stderr, Nix-like: host package imports, `[n/m built]
 * building NAME` for each build (one status line rewritten in place on a terminal), build logs with
 * -v, and when a build fails, its last log lines. Colours only on a terminal without NO_COLOR.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { HostPkgEvent } from '@m/hostpkgs';
import type { RealiseEvent } from '@m/realise';
import type { Output } from './output';

export interface ReporterOptions {
  out: Output;
  /** 0 quiet, 1 normal, 2+ verbose. */
  verbosity: number;
  color: boolean;
  /** stderr is a terminal: rewrite one status line instead of printing a line per event. */
  tty: boolean;
}

export interface Reporter {
  phase(message: string): void;
  host(e: HostPkgEvent): void;
  realise(e: RealiseEvent): void;
  /** A line of makeContainerImage's progress (`Creating layer 1 from paths: …`). */
  image(message: string): void;
  /** Clears the status line (before printing anything else or exiting). */
  done(): void;
  readonly c: ChalkInstance;
}

export function createReporter(o: ReporterOptions): Reporter {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  let status = '';
  let built = 0;
  const running = new Map<string, string>();

  const clear = (): void => {
    if (status !== '') {
      o.out.stderr('\r\x1b[K');
      status = '';
    }
  };
  const line = (s: string): void => {
    clear();
    o.out.stderr(s + '\n');
  };
  const setStatus = (s: string): void => {
    if (o.verbosity < 1) return;
    if (!o.tty) return line(s);
    const width = process.stderr.columns || 100;
    status = s.length > width - 1 ? s.slice(0, width - 2) + '…' : s;
    o.out.stderr('\r\x1b[K' + status);
  };

  return {
    c,
    phase(message) {
      if (o.verbosity >= 1 && o.tty) setStatus(c.dim(message));
    },
    host(e) {
      if (o.verbosity < 1) return;
      if (e.kind === 'imported') line(`${c.dim('imported host package')} ${c.bold(e.package)} ${c.dim(`(${e.ms} ms)`)}`);
      else if (e.kind === 'note' && o.verbosity >= 2) line(c.dim(`${e.package}: ${e.message}`));
      else if (e.kind === 'planned' && o.tty) setStatus(c.dim(`importing host package ${e.package}…`));
    },
    realise(e) {
      switch (e.type) {
        case 'build-start':
          running.set(e.drvPath, e.name);
          setStatus(`${c.blue(`[${built}/${e.total} built]`)} building ${c.bold(e.name)}`);
          break;
        case 'build-done':
          built++;
          running.delete(e.drvPath);
          if (o.tty && o.verbosity >= 1) {
            const next = [...running.values()].pop();
            setStatus(`${c.blue(`[${built}/${e.total} built]`)}${next ? ` building ${c.bold(next)}` : ''}`);
          }
          break;
        case 'log':
          if (o.verbosity >= 2) line(`${c.dim(`${running.get(e.drvPath) ?? 'build'}>`)} ${e.line}`);
          break;
        case 'build-failed': {
          running.delete(e.drvPath);
          // The builder's message already carries the last log lines.
          if (!e.topLevel) line(`${c.red('error:')} ${e.error.message}`);
          break;
        }
      }
    },
    image(message) {
      if (o.verbosity >= 1) line(message);
    },
    done: clear,
  };
}
