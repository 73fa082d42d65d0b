/**
 * The per-evaluator state that builtins and the evaluator core reach through `getState()`.
 * `createEvaluator` installs its state around every public entry point (`runWithState`), so the
 * evaluator core stays a set of plain module-level functions (fast, no closure indirection).
 */
import type { Expr, Pos, StaticScope } from '@m/lang';
import type { EvalIO } from './io';
import type { Env, NixAttrs, Value } from './value';

export interface SearchPathEntry {
  prefix: string;
  path: string;
}

export interface EvalState {
  readonly io: EvalIO;
  readonly storeDir: string;
  readonly pureEval: boolean;
  readonly nixPath: SearchPathEntry[];
  readonly trace: (msg: string) => void;
  readonly warn: (msg: string) => void;
  readonly baseEnv: Env;
  readonly baseScope: StaticScope;
  /** The `builtins` set. */
  readonly builtins: NixAttrs;
  /** Parses and evaluates a file (cached per resolved path), as `import` does. */
  evalFile(path: string): Value;
  /** Parses a file in the base scope (no cache). */
  parseFile(path: string): Expr;
  /** Parses source text against a static scope (scopedImport). */
  parseSource(source: string, file: string, basePath: string, scope: StaticScope): Expr;
  /** Parses a string whose relative paths resolve against `basePath`. */
  parseString(source: string, basePath: string, origin: string): Expr;
  /** Copies a source path into the store once (cached); returns the store path. */
  copyPathToStore(path: string, pos?: Pos): string;
  /** Arbitrary per-evaluator storage for builtin groups (e.g. caches). */
  readonly extra: Map<string, unknown>;
}

let current: EvalState | undefined;

export function getState(): EvalState {
  if (current === undefined) throw new Error('m eval: no evaluator state installed');
  return current;
}

export function runWithState<T>(state: EvalState, fn: () => T): T {
  const prev = current;
  current = state;
  try {
    return fn();
  } finally {
    current = prev;
  }
}
