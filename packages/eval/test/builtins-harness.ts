/**
 * Test harness for builtin tests: evaluates Nix source with m and with the real
 * `nix-instantiate --eval --strict`, returning printed values or first error lines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isMError } from '@m/core';
import { parse } from '@m/lang';
import { evalExpr } from '../src/eval';
import { createEvaluator } from '../src/index';
import { createStoreTestIO } from './store-test-io';

let sharedIO: ReturnType<typeof createStoreTestIO> | undefined;
let shared: ReturnType<typeof mkTestEvaluator> | undefined;

export function mkTestEvaluator() {
  const io = (sharedIO ??= createStoreTestIO());
  return createEvaluator({ io, nixPath: [], storeDir: '/nix/store', trace: () => {}, warn: () => {} });
}

/** `value` printed strictly, or `error: <message>` (first line only). */
export function mEval(src: string, ev = (shared ??= mkTestEvaluator())): string {
  try {
    const r = ev.run(() => parse(src, { file: '«string»', basePath: '/tmp', scope: ev.baseScope }));
    if (r.errors.length > 0 || !r.ast) throw r.errors[0];
    const ast = r.ast;
    const v = ev.run(() => evalExpr(ast, ev.state.baseEnv));
    return ev.printValue(v, { strict: true });
  } catch (e) {
    if (isMError(e)) return 'error: ' + e.message.split('\n')[0];
    throw e;
  }
}

/** Same for real Nix: stdout without trailing newline, or the first `error: …` line of stderr. */
export function nixEval(src: string): string {
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '-E', src], { encoding: 'utf8', cwd: '/tmp' });
  if (r.status === 0) return r.stdout.replace(/\n$/, '');
  const lines = r.stderr.split('\n');
  const i = lines.findIndex((l) => l.startsWith('error: '));
  return i >= 0 ? lines[i].replace(/\s+$/, '') : 'nix failed: ' + r.stderr;
}

/** Evaluates many expressions with one Nix process each, in parallel batches of processes. */
export function nixEvalMany(srcs: string[]): string[] {
  return srcs.map(nixEval);
}

export function hasNix(): boolean {
  try {
    execFileSync('nix-instantiate', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Real Nix's answers, cached in test/goldens/<file>.json (keyed by expression) because each
 * nix-instantiate process costs ~0.3 s. Missing entries are computed with nix-instantiate and
 * written back; delete the file (or run with M_ACCEPT=1) to recompute everything.
 */
const openFiles = new Map<string, ReturnType<typeof loadGoldens>>();

function openGoldens(file: string) {
  let g = openFiles.get(file);
  if (g === undefined) {
    const created = loadGoldens(file);
    openFiles.set(file, created);
    // registered at file level (compareWithNix is called outside describe): runs after every case
    afterAll(() => created.save());
    g = created;
  }
  return g;
}

function loadGoldens(file: string) {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'goldens', file + '.json');
  const accept = process.env.M_ACCEPT === '1';
  const data: Record<string, string> = !accept && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  let dirty = false;
  const used = new Set<string>();
  return {
    get(expr: string): string {
      used.add(expr);
      const hit = data[expr];
      if (hit !== undefined) return hit;
      const v = nixEval(expr);
      data[expr] = v;
      dirty = true;
      return v;
    },
    save(): void {
      const keys = Object.keys(data).filter((k) => used.has(k));
      if (!dirty && keys.length === Object.keys(data).length) return;
      mkdirSync(dirname(path), { recursive: true });
      const sorted = Object.fromEntries(keys.sort().map((k) => [k, data[k]]));
      writeFileSync(path, JSON.stringify(sorted, null, 1) + '\n');
      dirty = false;
    },
  };
}

/**
 * Declares vitest cases comparing m with real Nix: `ok` expressions must evaluate (checked in one
 * Nix process as a list), `err` expressions must fail (first `error:` line compared).
 * `file` names the goldens cache (usually the test file's group name).
 */
export function compareWithNix(file: string, title: string, cases: { ok?: string[]; err?: string[] }): void {
  const ok = cases.ok ?? [];
  const err = cases.err ?? [];
  const goldens = openGoldens(file);
  describe(title, () => {
    if (ok.length > 0) {
      it(`${ok.length} values equal Nix's`, () => {
        const expected = goldens.get(`[\n${ok.map((c) => `(${c})`).join('\n')}\n]`);
        // each case at the line and column it has inside the batch, so positions agree
        const ms = ok.map((c, i) => mEval('\n'.repeat(i + 1) + `(${c})`));
        let offset = 2;
        for (let i = 0; i < ok.length; i++) {
          const want = expected.slice(offset, offset + ms[i].length);
          if (want !== ms[i]) {
            expect(`${ok[i]}  =>  ${ms[i]}`).toBe(`${ok[i]}  =>  ${expected.slice(offset, offset + ms[i].length + 60)}`);
          }
          offset += ms[i].length + 1;
        }
        expect(`[ ${ms.join(' ')} ]`).toBe(expected);
      });
    }
    for (const c of err) {
      it(`error: ${c}`, () => {
        const want = goldens.get(c);
        expect(want.startsWith('error: ')).toBe(true);
        expect(mEval(c)).toBe(want);
      });
    }
  });
}
