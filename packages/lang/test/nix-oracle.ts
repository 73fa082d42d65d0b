/** Test helpers that ask the real Nix 2.8 (`nix-instantiate`) for reference answers. */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSymbolTable, parse, showExpr, type StaticScope, type SymbolTable } from '../src/index';

const run = promisify(execFile);

export interface Outcome {
  ok: boolean;
  /** `--parse` output, or the first line of the error and its line:column. */
  text: string;
}

function errorOutcome(stderr: string): Outcome {
  const first = stderr.split('\n')[0] ?? '';
  const at = /\n\s+at .*?:(\d+):(\d+):/.exec(stderr);
  return { ok: false, text: `${first} @${at ? `${at[1]}:${at[2]}` : '?'}` };
}

export interface Item {
  /** Source text (for `-E`) or file contents. */
  source: string;
  /** The file to pass to Nix, or undefined to pass `source` with `-E`. */
  file?: string;
}

/**
 * `nix-instantiate --parse` of many items with few process starts (each costs ~0.2 s): items go
 * in one call until one fails. Nix keeps one symbol table per process, which affects the order
 * of `let` bindings and formals, so our side replays each call's items with one shared table.
 */
export async function compareWithNix(items: Item[], cwd: string, scope: StaticScope): Promise<{ nix: Outcome[]; ours: Outcome[] }> {
  const nix: Outcome[] = new Array(items.length);
  const ours: Outcome[] = new Array(items.length);
  let i = 0;
  while (i < items.length) {
    const rest = items.slice(i);
    const args = rest[0]!.file === undefined ? ['--parse', '-E', ...rest.map((x) => x.source)] : ['--parse', ...rest.map((x) => x.file!)];
    let printed: string[];
    let failure: Outcome | undefined;
    try {
      const { stdout } = await run('nix-instantiate', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
      printed = stdout.split('\n').slice(0, rest.length);
    } catch (e) {
      const err = e as { stdout: string; stderr: string };
      printed = err.stdout.split('\n').slice(0, -1);
      failure = errorOutcome(err.stderr);
    }
    const count = printed.length + (failure ? 1 : 0);
    const symbols = createSymbolTable();
    for (let k = 0; k < count; k++) {
      const item = items[i + k]!;
      nix[i + k] = k < printed.length ? { ok: true, text: printed[k]! } : failure!;
      ours[i + k] = ourParse(item.source, item.file ?? '«string»', cwd, scope, symbols);
    }
    i += count;
  }
  return { nix, ours };
}

/** compareWithNix over `n` slices of `items` at once. */
export async function compareInParallel(items: Item[], cwd: string, scope: StaticScope, n: number): Promise<{ nix: Outcome[]; ours: Outcome[] }> {
  const size = Math.ceil(items.length / n);
  const slices = Array.from({ length: n }, (_, k) => items.slice(k * size, (k + 1) * size));
  const results = await Promise.all(slices.map((s) => compareWithNix(s, cwd, scope)));
  return { nix: results.flatMap((r) => r.nix), ours: results.flatMap((r) => r.ours) };
}

/** Our parser's answer in the same shape. */
export function ourParse(source: string, file: string, basePath: string, scope: StaticScope, symbols?: SymbolTable): Outcome {
  const r = parse(source, { file, basePath, scope, ...(symbols ? { symbols } : {}) });
  if (r.errors.length === 0) return { ok: true, text: showExpr(r.ast!) };
  const e = r.errors[0]!;
  return { ok: false, text: `error: ${e.message} @${e.pos ? `${e.pos.line}:${e.pos.column}` : '?'}` };
}

/** Runs `fn` over `items` with at most `n` in flight. */
export async function mapLimit<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * The names of Nix's base environment, taken from the symbols a fresh Nix creates (creation order):
 * a builtin is bound as `__name` when that symbol was created after `builtins` (by its registration).
 */
export function nixBaseScope(): StaticScope {
  const dir = mkdtempSync(join(tmpdir(), 'm-lang-'));
  try {
    const statsPath = join(dir, 'stats.json');
    execFileSync('nix-instantiate', ['--eval', '-E', '1'], {
      env: { ...process.env, NIX_SHOW_STATS: '1', NIX_SHOW_SYMBOLS: '1', NIX_SHOW_STATS_PATH: statsPath },
      stdio: 'ignore',
    });
    const symbols = (JSON.parse(readFileSync(statsPath, 'utf8')) as { symbols: string[] }).symbols;
    const builtinNames = new Set(
      JSON.parse(execFileSync('nix-instantiate', ['--eval', '--json', '-E', 'builtins.attrNames builtins'], { encoding: 'utf8' })) as string[],
    );
    const names = new Set(['builtins']);
    for (const n of builtinNames) names.add(symbols.indexOf('__' + n) > symbols.indexOf('builtins') ? '__' + n : n);
    return { names: [...names] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
