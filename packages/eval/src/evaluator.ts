/** createEvaluator: the public entry point used by the CLI. */
import { MError, isMError } from '@m/core';
import { createSymbolTable, type Expr, type StaticScope } from '@m/lang';
import { allBuiltins } from './builtins/index';
import { isBuiltinFunction } from './builtins/api';
import { resolveExprPath } from './builtins/import';
import { canonPath } from './coerce';
import { evalError, isStackOverflow, stackOverflowError, suggestionHint, typeError } from './errors';
import { callFunction1, evalExpr, force, forceDeep, mkThunk, setCallTraces, setMaxCallDepth } from './eval';
import type { EvalIO } from './io';
import { parseWithScope } from './parser';
import { printValue } from './print';
import { runWithState, type EvalState, type SearchPathEntry } from './state';
import { valueToJSON } from './to-json';
import { valueToXML } from './to-xml';
import { instantiate } from './instantiate';
import { K_ATTRS, K_LAMBDA, K_PRIMOP, mkAttrs, showType, type Env, type Lazy, type NixAttrs, type PrimOp, type Value } from './value';

export type AutoArg = Value | { expr: string } | { str: string };

export interface EvaluatorOptions {
  io: EvalIO;
  nixPath: SearchPathEntry[];
  storeDir: string;
  pureEval?: boolean;
  /** Receives `builtins.trace` messages (without the "trace: " prefix). */
  trace?: (msg: string) => void;
  warn?: (msg: string) => void;
  /** Whether --show-trace was given: function-call trace entries are only recorded then, as in Nix. */
  showTrace?: boolean;
  /** Function call nesting limit before `stack overflow (possible infinite recursion)` (default 200,000). */
  maxCallDepth?: number;
}

export interface Evaluator {
  evalFile(path: string): Value;
  evalString(source: string, basePath: string, origin: string): Value;
  parseFile(path: string): Expr;
  parseString(source: string, basePath: string, origin: string): Expr;
  force(v: Lazy): Value;
  forceDeep(v: Lazy): Value;
  autoCallFunction(v: Lazy, autoArgs: Map<string, AutoArg>): Value;
  findAlongAttrPath(v: Lazy, attrPath: string, autoArgs: Map<string, AutoArg>): Value;
  printValue(v: Lazy, opts: { strict: boolean }): string;
  /** `--json` output; `partial` receives the text written before an error (see valueToJSON). */
  toJSON(v: Lazy, opts?: { strict?: boolean; partial?: (text: string) => void }): string;
  /** `--xml` output (`strict` defaults to false like nix-instantiate without --strict). */
  toXML(v: Lazy, opts: { location: boolean; strict?: boolean }): string;
  /** nix-instantiate without --eval: the `drvPath[!output]` lines of the derivations in `v`. */
  instantiate(v: Lazy): string[];
  /** Runs `fn` with this evaluator's state installed (for direct use of the core API). */
  run<T>(fn: () => T): T;
  readonly baseScope: StaticScope;
  readonly state: EvalState;
}

function stripUnderscores(name: string): string {
  return name.startsWith('__') ? name.slice(2) : name;
}

/** Splits `a.b."c.d".0` like Nix's parseAttrPath. */
export function parseAttrPath(s: string): string[] {
  const res: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '.' && !quoted) {
      res.push(cur);
      cur = '';
    } else if (c === '"') {
      quoted = !quoted;
    } else cur += c;
  }
  if (quoted) throw new MError('BAD_ARGUMENT', `missing closing quote in selection path '${s}'`);
  if (cur !== '' || res.length > 0) res.push(cur);
  return res;
}

export function createEvaluator(opts: EvaluatorOptions): Evaluator {
  const io = opts.io;
  const pureEval = opts.pureEval ?? false;
  const maxCallDepth = opts.maxCallDepth ?? 200_000;
  const showTrace = opts.showTrace ?? false;
  const names: string[] = ['builtins'];
  const vals: Lazy[] = [null];
  const builtinsMap = new Map<string, Lazy>();
  const builtinsAttrs: NixAttrs = mkAttrs(builtinsMap);
  vals[0] = builtinsAttrs;
  builtinsMap.set('builtins', builtinsAttrs);
  const baseEnv: Env = { up: null, vals, prevWith: -1 };
  const baseScope: StaticScope = { names };
  const fileEvalCache = new Map<string, Value>();
  const srcToStore = new Map<string, string>();

  const symbols = createSymbolTable();
  const parseSource = (source: string, file: string, basePath: string, scope: StaticScope): Expr =>
    parseWithScope(source, file, basePath, scope, symbols);
  const parseFile = (path: string): Expr =>
    parseSource(io.readFile(path), path, path.slice(0, path.lastIndexOf('/')) || '/', baseScope);
  const parseString = (source: string, basePath: string, origin: string): Expr =>
    parseSource(source, origin, basePath, baseScope);

  const state: EvalState = {
    io,
    storeDir: opts.storeDir,
    pureEval,
    nixPath: opts.nixPath,
    trace: opts.trace ?? ((msg) => process.stderr.write(`trace: ${msg}\n`)),
    warn: opts.warn ?? ((msg) => process.stderr.write(`warning: ${msg}\n`)),
    baseEnv,
    baseScope,
    builtins: builtinsAttrs,
    extra: new Map(),
    parseFile,
    parseString,
    parseSource,
    evalFile(path: string): Value {
      const cached = fileEvalCache.get(path);
      if (cached !== undefined) return cached;
      const resolved = resolveExprPath(state, path);
      const cached2 = fileEvalCache.get(resolved);
      if (cached2 !== undefined) return cached2;
      let v: Value;
      try {
        if (!io.pathExists(resolved)) throw new MError('IO_ERROR', `getting status of '${resolved}': No such file or directory`);
        v = evalExpr(parseFile(resolved), baseEnv);
      } catch (err) {
        if (isMError(err)) err.addTrace(`while evaluating the file '${resolved}':`);
        throw err;
      }
      fileEvalCache.set(resolved, v);
      fileEvalCache.set(path, v);
      return v;
    },
    copyPathToStore(path, pos) {
      if (path.endsWith('.drv')) throw evalError("file names are not allowed to end in '.drv'", pos);
      const hit = srcToStore.get(path);
      if (hit !== undefined) return hit;
      const name = path.slice(path.lastIndexOf('/') + 1);
      let sp: string;
      try {
        sp = io.addPathToStore({ name, path, method: 'recursive' });
      } catch (e) {
        // The EvalIO knows no position; the path's is the one to show (e.g. an untracked file).
        if (isMError(e) && e.pos === undefined) e.pos = pos;
        throw e;
      }
      srcToStore.set(path, sp);
      return sp;
    },
  };

  const register = (globalName: string, v: Lazy): void => {
    const i = names.indexOf(globalName);
    if (i >= 0) vals[i] = v;
    else {
      names.push(globalName);
      vals.push(v);
    }
    builtinsMap.set(stripUnderscores(globalName), v);
  };

  runWithState(state, () => {
    for (const def of allBuiltins) {
      if (isBuiltinFunction(def)) {
        const impl = def.fn;
        const primop: PrimOp = {
          k: K_PRIMOP,
          name: stripUnderscores(def.name),
          arity: def.arity,
          fn: (args, pos) => impl(args, state, pos),
        };
        register(def.name, primop);
      } else {
        if (def.impure && pureEval) continue;
        register(def.name, def.value(state));
      }
    }
  });

  /** Runs an entry point with the state installed; JS stack exhaustion becomes an MError. */
  const run = <T>(fn: () => T): T =>
    runWithState(state, () => {
      const prevDepth = setMaxCallDepth(maxCallDepth);
      const prevTraces = setCallTraces(showTrace);
      try {
        return fn();
      } catch (err) {
        if (isStackOverflow(err)) throw stackOverflowError();
        throw err;
      } finally {
        setMaxCallDepth(prevDepth);
        setCallTraces(prevTraces);
      }
    });

  const toLazyArg = (a: AutoArg): Lazy => {
    if (typeof a === 'object' && a !== null && !Array.isArray(a) && !('k' in a)) {
      if ('str' in a) return a.str;
      if ('expr' in a) return mkThunk(parseString(a.expr, process.cwd(), '«string»'), baseEnv);
    }
    return a as Value;
  };

  const autoCall = (fun: Lazy, autoArgs: Map<string, AutoArg>): Value => {
    const f = force(fun);
    if (typeof f === 'object' && f !== null && !Array.isArray(f) && f.k === K_ATTRS) {
      const functor = f.map.get('__functor');
      if (functor !== undefined) return autoCall(force(callFunction1(functor, f)), autoArgs);
    }
    if (typeof f !== 'object' || f === null || Array.isArray(f) || f.k !== K_LAMBDA || f.fn.formals === undefined) {
      return f;
    }
    const formals = f.fn.formals;
    const map = new Map<string, Lazy>();
    if (formals.ellipsis) {
      for (const [k, a] of autoArgs) map.set(k, toLazyArg(a));
    } else {
      for (const fm of formals.formals) {
        const a = autoArgs.get(fm.name);
        if (a !== undefined) map.set(fm.name, toLazyArg(a));
        else if (fm.def === undefined) {
          throw new MError(
            'EVAL_ERROR',
            `cannot evaluate a function that has an argument without a value ('${fm.name}')\n\n` +
              'Nix attempted to evaluate a function as a top level expression; in\n' +
              'this case it must have its arguments supplied either by default\n' +
              "values, or passed explicitly with '--arg' or '--argstr'. See\n" +
              'https://nixos.org/manual/nix/stable/#ss-functions.',
            { pos: fm.pos },
          );
        }
      }
    }
    return callFunction1(f, mkAttrs(map));
  };

  const findAlongAttrPath = (v: Lazy, attrPath: string, autoArgs: Map<string, AutoArg>): Value => {
    let cur: Lazy = v;
    for (const attr of parseAttrPath(attrPath)) {
      const index = /^[0-9]+$/.test(attr) ? Number(attr) : undefined;
      const r = force(autoCall(cur, autoArgs));
      if (index === undefined) {
        if (typeof r !== 'object' || r === null || Array.isArray(r) || r.k !== K_ATTRS) {
          throw typeError(`the expression selected by the selection path '${attrPath}' should be a set but is ${showType(r)}`);
        }
        if (attr === '') throw new MError('BAD_ARGUMENT', `empty attribute name in selection path '${attrPath}'`);
        const next = r.map.get(attr);
        if (next === undefined) {
          throw new MError('MISSING_ATTR', `attribute '${attr}' in selection path '${attrPath}' not found`, {
            hint: suggestionHint(r.map.keys(), attr),
          });
        }
        cur = next;
      } else {
        if (!Array.isArray(r)) {
          throw typeError(`the expression selected by the selection path '${attrPath}' should be a list but is ${showType(r)}`);
        }
        if (index >= r.length) {
          throw new MError('MISSING_ATTR', `list index ${index} in selection path '${attrPath}' is out of range`);
        }
        cur = r[index];
      }
    }
    return force(cur);
  };

  const self: Evaluator = {
    state,
    baseScope,
    run,
    evalFile: (path) => run(() => state.evalFile(canonPath(path))),
    evalString: (source, basePath, origin) => run(() => evalExpr(parseString(source, basePath, origin), baseEnv)),
    parseFile: (path) => run(() => parseFile(path)),
    parseString: (source, basePath, origin) => run(() => parseString(source, basePath, origin)),
    force: (v) => run(() => force(v)),
    forceDeep: (v) => run(() => forceDeep(v)),
    autoCallFunction: (v, autoArgs) => run(() => autoCall(v, autoArgs)),
    findAlongAttrPath: (v, attrPath, autoArgs) => run(() => findAlongAttrPath(v, attrPath, autoArgs)),
    printValue: (v, o) => run(() => printValue(v, o)),
    toJSON: (v, o) => run(() => valueToJSON(v, o?.strict ?? true, new Set(), undefined, o?.partial)),
    toXML: (v, o) => run(() => valueToXML(v, { location: o.location, strict: o.strict ?? false }, new Set())),
    instantiate: (v) => run(() => instantiate(self, v)),
  };
  return self;
}
