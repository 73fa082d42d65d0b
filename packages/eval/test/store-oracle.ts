/** Test helper: our evaluator over a temporary store vs. real nix-instantiate (Nix 2.8). */
import { execFile, execFileSync } from 'node:child_process';
import { isMError } from '@m/core';
import { createEvaluator, type Evaluator } from '../src/index';
import { createStoreTestIO } from './store-test-io';

export function mkStoreEvaluator(): { ev: Evaluator; warnings: string[]; physicalStore: string } {
  const io = createStoreTestIO();
  const warnings: string[] = [];
  const ev = createEvaluator({
    io,
    nixPath: [],
    storeDir: '/nix/store',
    warn: (m) => warnings.push(m),
    trace: () => {},
  });
  return { ev, warnings, physicalStore: io.physicalStore };
}

/** `nix-instantiate --eval --strict --json --read-write-mode -E expr`, parsed. */
export function nixJson(expr: string): unknown {
  const out = execFileSync('nix-instantiate', ['--eval', '--strict', '--json', '--read-write-mode', '-E', expr], {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out);
}

/** The first line of real Nix's error message for `expr` (without "error: "). */
export function nixError(expr: string): string {
  try {
    execFileSync('nix-instantiate', ['--eval', '--strict', '--read-write-mode', '-E', expr], {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    return firstErrorLine(String((e as { stderr?: string }).stderr ?? ''));
  }
  throw new Error(`nix evaluated without error: ${expr}`);
}

export function ourJson(ev: Evaluator, expr: string): unknown {
  return JSON.parse(ev.toJSON(ev.evalString(expr, '/', '«string»')));
}

export function ourError(ev: Evaluator, expr: string): { code: string; message: string } {
  try {
    ev.forceDeep(ev.evalString(expr, '/', '«string»'));
  } catch (e) {
    if (isMError(e)) return { code: e.code, message: e.message.split('\n')[0] };
    throw e;
  }
  throw new Error(`evaluated without error: ${expr}`);
}

function firstErrorLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('error: '));
  return line === undefined ? stderr : line.slice('error: '.length);
}

/** nixError for many expressions, run concurrently. */
export function nixErrors(exprs: string[]): Promise<string[]> {
  return Promise.all(
    exprs.map(
      (expr) =>
        new Promise<string>((resolve, reject) => {
          execFile('nix-instantiate', ['--eval', '--strict', '--read-write-mode', '-E', expr], (err, _stdout, stderr) => {
            if (err === null) reject(new Error(`nix evaluated without error: ${expr}`));
            else resolve(firstErrorLine(String(stderr)));
          });
        }),
    ),
  );
}

/** `nix-instantiate --no-gc-warning -E expr` stdout lines for many expressions, run concurrently. */
export function nixInstantiateLines(exprs: string[]): Promise<string[][]> {
  return Promise.all(
    exprs.map(
      (expr) =>
        new Promise<string[]>((resolve, reject) => {
          execFile('nix-instantiate', ['--no-gc-warning', '-E', expr], (err, stdout, stderr) => {
            if (err !== null) reject(new Error(`nix-instantiate failed: ${String(stderr)}`));
            else resolve(String(stdout).split('\n').filter((l) => l !== ''));
          });
        }),
    ),
  );
}
