/** Shared by the `m build` process tests: a temp project with its own store, and runners. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, runM, type RunResult } from './helpers';

export interface BuildFixture {
  dir: string;
  store: string;
  /** `m ARGS… --store <store>` in `dir` (extra args appended before the store flag). */
  m(args: string[], env?: NodeJS.ProcessEnv): RunResult;
  write(name: string, text: string): string;
  cleanup(): void;
}

export function buildFixture(prefix: string): BuildFixture {
  const dir = mkdtempSync(join(tmpdir(), `m-${prefix}-`));
  const store = join(dir, 'store');
  return {
    dir,
    store,
    m: (args, env) => runM([...args, '--store', store], { cwd: dir, env }),
    write(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `m ARGS…` as a child process, sending `signal` once stderr contains `when`. */
export function runMInterrupted(args: string[], cwd: string, when: string, signal: NodeJS.Signals): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && stderr.includes(when)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A derivation attribute set in Nix syntax, with busybox's `/bin/sh` as builder. */
export const MK = `mk = a: derivation ({ system = "x86_64-linux"; builder = "/bin/sh"; } // a);`;
