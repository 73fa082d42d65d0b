/** Test helper: runs the real Nix 2.8 tools as the oracle. */
import { execFileSync } from 'node:child_process';

export function nix(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function nixBuffer(cmd: string, args: string[]): Buffer {
  return execFileSync(cmd, args, { maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Evaluates `expr` strictly with --json in read-write mode (so .drv files get written). */
export function nixEvalJson<T>(expr: string): T {
  return JSON.parse(nix('nix-instantiate', ['--read-write-mode', '--eval', '--strict', '--json', '-E', expr])) as T;
}
