/**
 * The evaluator core: expressions compiled to closures, forcing, function calls.
 *
 * Each expression is compiled once into a tree of JS closures (see Compilation below), so
 * evaluation does no dispatch on node kinds; a Nix call of a lambda costs two JS frames (the call
 * site's closure and the body's). JS stack exhaustion is converted into MError('STACK_OVERFLOW')
 * at call boundaries; black-holed thunks are restored on any exception.
 */
import { MError, isMError } from '@m/core';
import type {
  AttrName,
  Expr,
  ExprAttrs,
  ExprBinary,
  ExprCall,
  ExprConcatStrings,
  ExprHasAttr,
  ExprLambda,
  ExprLet,
  ExprSelect,
  ExprVar,
  Pos,
} from '@m/lang';
import { normaliseString, seamNeedsNormalise } from '@m/nix-compat';
import {
  MAX_LIST_LENGTH,
  MAX_STRING_LENGTH,
  convertLimitError,
  convertStackOverflow,
  evalError,
  listTooLong,
  expectedError,
  showLambda,
  showPos,
  stackOverflowError,
  suggestionHint,
  typeError,
} from './errors';
import { showExpr } from './show-expr';
import { getState } from './state';
import {
  K_ATTRS,
  K_LAMBDA,
  K_PATH,
  K_PRIMOP,
  K_PRIMOP_APP,
  K_STRING,
  K_THUNK,
  mkAttrs,
  mkPath,
  mkString,
  mkCodeThunk,
  showType,
  type AttrPositions,
  type Code,
  type Env,
  type LambdaCode,
  type Lazy,
  type NixAttrs,
  type NixLambda,
  type NixList,
  type NixStringCtx,
  type PrimOp,
  type PrimOpApp,
  type Thunk,
  type Value,
} from './value';
import { coerceToString, canonPath } from './coerce';
import { eqOperands } from './equal';
import { mergeMaps } from './layered-map';

/**
 * Nesting limit for function calls. V8 gets slow with very deep stacks (each garbage collection
 * scans the whole stack), so runaway recursion is stopped by this counter long before the JS
 * stack (1 GiB in the CLI's worker) is exhausted. Set per evaluator (`maxCallDepth`).
 */
let maxCallDepth = 200_000;
let callDepth = 0;

/** Whether function calls add `while evaluating 'f'` / `from call site` trace entries (--show-trace). */
let callTraces = true;

export function setCallTraces(on: boolean): boolean {
  const prev = callTraces;
  callTraces = on;
  return prev;
}

export function setMaxCallDepth(n: number): number {
  const prev = maxCallDepth;
  maxCallDepth = n;
  return prev;
}

/** Maximum number of trace entries collected on one error (deep recursion would add one per level). */
const MAX_TRACE = 200;

// ---------------------------------------------------------------------------------------------
// Forcing

export function force(v: Lazy, pos?: Pos): Value {
  if (typeof v === 'object' && v !== null && (v as Thunk).k === K_THUNK) return forceThunk(v as Thunk, pos);
  return v as Value;
}

export function forceThunk(t: Thunk, pos?: Pos): Value {
  const done = t.v;
  if (done !== undefined) return done;
  const c = t.c;
  if (c === null) throw new MError('INFINITE_RECURSION', 'infinite recursion encountered', { pos });
  const env = t.env;
  t.c = null;
  t.env = null;
  try {
    const r = c(env as Env, t);
    t.v = r;
    return r;
  } catch (e) {
    t.c = c;
    t.env = env;
    throw e;
  }
}

const exprCode = new WeakMap<Expr, Code>();
const exprLazy = new WeakMap<Expr, LazyCode>();

function codeOf(e: Expr): Code {
  let c = exprCode.get(e);
  if (c === undefined) {
    c = compile(e);
    exprCode.set(e, c);
  }
  return c;
}

/** Evaluates an expression (compiled once per expression object). */
export function evalExpr(e: Expr, env: Env): Value {
  return codeOf(e)(env);
}

/** A thunk of an expression. */
export function mkThunk(e: Expr, env: Env): Thunk {
  return mkCodeThunk(codeOf(e), env);
}

/** The value of an expression without evaluating it when that is free (Nix's maybeThunk). */
export function maybeThunk(e: Expr, env: Env): Lazy {
  let c = exprLazy.get(e);
  if (c === undefined) {
    c = compileLazy(e);
    exprLazy.set(e, c);
  }
  return c(env);
}

// ---------------------------------------------------------------------------------------------
// Typed forcing helpers

export function forceAttrs(v: Lazy, pos?: Pos): NixAttrs {
  const r = force(v, pos);
  if (typeof r === 'object' && r !== null && (r as NixAttrs).k === K_ATTRS) return r as NixAttrs;
  throw expectedError(r, 'a set', pos);
}

export function forceList(v: Lazy, pos?: Pos): NixList {
  const r = force(v, pos);
  if (Array.isArray(r)) return r;
  throw expectedError(r, 'a list', pos);
}

export function forceInt(v: Lazy, pos?: Pos): bigint {
  const r = force(v, pos);
  if (typeof r === 'bigint') return r;
  throw expectedError(r, 'an integer', pos);
}

/** Accepts ints too (converted), like Nix's forceFloat. */
export function forceFloat(v: Lazy, pos?: Pos): number {
  const r = force(v, pos);
  if (typeof r === 'number') return r;
  if (typeof r === 'bigint') return Number(r);
  throw expectedError(r, 'a float', pos);
}

export function forceBool(v: Lazy, pos?: Pos): boolean {
  const r = force(v, pos);
  if (typeof r === 'boolean') return r;
  throw expectedError(r, 'a Boolean', pos);
}

export function forceFunction(v: Lazy, pos?: Pos): Value {
  const r = force(v, pos);
  if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
    const k = r.k;
    if (k === K_LAMBDA || k === K_PRIMOP || k === K_PRIMOP_APP) return r;
    if (k === K_ATTRS && r.map.has('__functor')) return r;
  }
  throw expectedError(r, 'a function', pos);
}

/** A string value (with its context, if any). */
export function forceStringValue(v: Lazy, pos?: Pos): string | NixStringCtx {
  const r = force(v, pos);
  if (typeof r === 'string') return r;
  if (typeof r === 'object' && r !== null && (r as NixStringCtx).k === K_STRING) return r as NixStringCtx;
  throw expectedError(r, 'a string', pos);
}

/** The characters of a string, ignoring its context. */
export function forceString(v: Lazy, pos?: Pos): string {
  const r = forceStringValue(v, pos);
  return typeof r === 'string' ? r : r.s;
}

/** The characters of a string; its context is added to `ctx`. */
export function forceStringCtx(v: Lazy, ctx: Set<string>, pos?: Pos): string {
  const r = forceStringValue(v, pos);
  if (typeof r === 'string') return r;
  for (const c of r.ctx) ctx.add(c);
  return r.s;
}

/** A string that must not refer to store paths. */
export function forceStringNoCtx(v: Lazy, pos?: Pos): string {
  const r = forceStringValue(v, pos);
  if (typeof r === 'string') return r;
  const first = r.ctx.values().next().value as string;
  throw evalError(`the string '${r.s}' is not allowed to refer to a store path (such as '${first}')`, pos);
}

// ---------------------------------------------------------------------------------------------
// Variables

function lookupWithNoEval(e: ExprVar, env: Env): Lazy | undefined {
  let en = env;
  for (;;) {
    let a = en.vals[0];
    if (typeof a === 'object' && a !== null && (a as Thunk).k === K_THUNK) {
      const t = a as Thunk;
      if (t.v === undefined) return undefined;
      a = t.v;
    }
    if (typeof a !== 'object' || a === null || (a as NixAttrs).k !== K_ATTRS) return undefined;
    const v = (a as NixAttrs).map.get(e.name);
    if (v !== undefined) return v;
    if (en.prevWith === 0) return undefined;
    for (let l = en.prevWith; l > 0; l--) en = en.up!;
  }
}

function lookupWith(e: ExprVar, env: Env): Value {
  let en = env;
  for (;;) {
    let a = en.vals[0];
    if (typeof a === 'object' && a !== null && (a as Thunk).k === K_THUNK) {
      a = forceThunk(a as Thunk);
      en.vals[0] = a;
    }
    if (typeof a !== 'object' || a === null || (a as NixAttrs).k !== K_ATTRS) {
      throw expectedError(a as Value, 'a set');
    }
    const v = (a as NixAttrs).map.get(e.name);
    if (v !== undefined) return force(v, e.pos);
    if (en.prevWith === 0) {
      throw new MError('UNDEFINED_VARIABLE', `undefined variable '${e.name}'`, { pos: e.pos });
    }
    for (let l = en.prevWith; l > 0; l--) en = en.up!;
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation
//
// Every expression node becomes one closure `(env) => Value` that calls its children's closures
// directly; variables are read at the (level, displ) bindVars gave them. `compileLazy` gives the
// closure used where Nix would make a thunk (arguments, list elements, attribute values, let
// bindings): constants, already-bound variables and lambdas cost no thunk. Lambda bodies are
// compiled on their first call. Evaluation order, errors, positions and traces are those of
// Nix 2.8 (the conformance suites pin them).

type LazyCode = (env: Env) => Lazy;

function compile(e: Expr): Code {
  switch (e.kind) {
    case 'int':
    case 'float':
    case 'string': {
      const v = e.value;
      return () => v;
    }
    case 'path': {
      const v = mkPath(e.value);
      return () => v;
    }
    case 'var':
      return compileVar(e);
    case 'select':
      return compileSelect(e);
    case 'hasAttr':
      return compileHasAttr(e);
    case 'attrs':
      return compileAttrs(e);
    case 'list': {
      const elems = e.elems.map(compileLazy);
      const n = elems.length;
      return (env) => {
        const out = new Array<Lazy>(n);
        for (let i = 0; i < n; i++) out[i] = elems[i](env);
        return out;
      };
    }
    case 'lambda': {
      const c: LambdaCode = { lam: e, body: null, defaults: null };
      return (env) => ({ k: K_LAMBDA, fn: e, env, c });
    }
    case 'call':
      return compileCall(e);
    case 'let':
      return compileLet(e);
    case 'with': {
      // A variable as the scope stays behind a thunk of the variable's code, so forcing the scope
      // reports the variable's position (`with x; …` where x is being evaluated), as Nix does.
      const attrsExpr = e.attrs;
      const attrs: LazyCode = attrsExpr.kind === 'var' ? (env) => mkThunk(attrsExpr, env) : compileLazy(attrsExpr);
      const body = compile(e.body);
      const prevWith = e.prevWith;
      return (env) => body({ up: env, vals: [attrs(env)], prevWith });
    }
    case 'if': {
      const cond = compile(e.cond);
      const then = compile(e.then);
      const els = compile(e.else);
      const pos = e.pos;
      return (env) => {
        const c = cond(env);
        if (c === true) return then(env);
        if (c === false) return els(env);
        throw expectedError(c, 'a Boolean', pos);
      };
    }
    case 'assert': {
      const cond = compile(e.cond);
      const body = compile(e.body);
      const pos = e.pos;
      return (env) => {
        if (!toBool(cond(env), pos)) {
          throw new MError('ASSERTION_FAILED', `assertion '${showExpr(e.cond)}' failed`, { pos });
        }
        return body(env);
      };
    }
    case 'not': {
      const c = compile(e.e);
      return (env) => !toBool(c(env), undefined);
    }
    case 'binary':
      return compileBinary(e);
    case 'concatStrings':
      return compileConcatStrings(e);
    case 'curPos': {
      const pos = e.pos;
      return () => mkPosValue(pos);
    }
    default:
      throw new MError('INTERNAL', `unknown expression kind '${(e as { kind: string }).kind}'`);
  }
}

function compileLazy(e: Expr): LazyCode {
  switch (e.kind) {
    case 'int':
    case 'float':
    case 'string':
    case 'path':
      return compile(e);
    case 'var': {
      const code = compileVar(e);
      const level = e.level;
      const displ = e.displ;
      if (e.fromWith) {
        return (env) => {
          let en = env;
          for (let l = level; l > 0; l--) en = en.up!;
          const v = lookupWithNoEval(e, en);
          return v !== undefined ? v : mkCodeThunk(code, env);
        };
      }
      if (level === 0) {
        return (env) => {
          const v = env.vals[displ];
          return v !== undefined ? v : mkCodeThunk(code, env);
        };
      }
      return (env) => {
        let en = env;
        for (let l = level; l > 0; l--) en = en.up!;
        const v = en.vals[displ];
        return v !== undefined ? v : mkCodeThunk(code, env);
      };
    }
    default: {
      const code = compile(e);
      return (env) => ({ k: K_THUNK, c: code, env, v: undefined });
    }
  }
}

function compileVar(e: ExprVar): Code {
  const level = e.level;
  const displ = e.displ;
  const pos = e.pos;
  if (e.fromWith) {
    return (env) => {
      let en = env;
      for (let l = level; l > 0; l--) en = en.up!;
      return lookupWith(e, en);
    };
  }
  if (level === 0) {
    return (env) => {
      const vals = env.vals;
      const v = vals[displ];
      if (typeof v === 'object' && v !== null && (v as Thunk).k === K_THUNK) {
        const r = forceThunk(v as Thunk, pos);
        vals[displ] = r;
        return r;
      }
      return v as Value;
    };
  }
  if (level === 1) {
    return (env) => {
      const vals = env.up!.vals;
      const v = vals[displ];
      if (typeof v === 'object' && v !== null && (v as Thunk).k === K_THUNK) {
        const r = forceThunk(v as Thunk, pos);
        vals[displ] = r;
        return r;
      }
      return v as Value;
    };
  }
  return (env) => {
    let en = env;
    for (let l = level; l > 0; l--) en = en.up!;
    const vals = en.vals;
    const v = vals[displ];
    if (typeof v === 'object' && v !== null && (v as Thunk).k === K_THUNK) {
      const r = forceThunk(v as Thunk, pos);
      vals[displ] = r;
      return r;
    }
    return v as Value;
  };
}

function toBool(v: Value, pos: Pos | undefined): boolean {
  if (typeof v === 'boolean') return v;
  throw expectedError(v, 'a Boolean', pos);
}

export function mkPosValue(pos: Pos | undefined): Value {
  if (!pos) return null;
  return mkAttrs(
    new Map<string, Lazy>([
      ['file', pos.file],
      ['line', BigInt(pos.line)],
      ['column', BigInt(pos.column)],
    ]),
  );
}

export function getName(a: AttrName, env: Env): string {
  if (a.name !== undefined) return a.name;
  return forceStringNoCtx(evalExpr(a.expr, env));
}

/** A compiled attribute name: the static name, or the code of the interpolated one. */
type NameCode = string | Code;

function compileNames(path: AttrName[]): NameCode[] {
  return path.map((a) => (a.name !== undefined ? a.name : compile(a.expr)));
}

function nameOf(n: NameCode, env: Env): string {
  return typeof n === 'string' ? n : forceStringNoCtx(n(env));
}

/** Position where attribute `name` of `attrs` was defined, if known. */
export function attrPos(attrs: NixAttrs, name: string): Pos | undefined {
  let p: AttrPositions = attrs.pos;
  for (;;) {
    if (p === null) return undefined;
    if (p instanceof Map) return p.get(name);
    if ('kind' in p) {
      for (const d of p.attrs) if (d.name === name) return d.pos;
      return undefined;
    }
    p = p.right.map.has(name) ? p.right.pos : p.left;
  }
}

function showAttrPath(path: AttrName[], env: Env): string {
  return path
    .map((a) => {
      if (a.name !== undefined) return a.name;
      try {
        return getName(a, env);
      } catch {
        return `"\${${showExpr(a.expr)}}"`;
      }
    })
    .join('.');
}

function compileSelect(e: ExprSelect): Code {
  const base = compile(e.e);
  const names = compileNames(e.attrPath);
  const def = e.def === undefined ? undefined : compile(e.def);
  const pos = e.pos;
  const name0 = names[0];
  if (names.length === 1 && typeof name0 === 'string' && def === undefined) {
    // `a.b`: one static name without default
    return (env) => {
      const v = base(env);
      if (typeof v === 'object' && v !== null && (v as NixAttrs).k === K_ATTRS) {
        const next = (v as NixAttrs).map.get(name0);
        if (next !== undefined) {
          if (typeof next !== 'object' || next === null || (next as Thunk).k !== K_THUNK) return next as Value;
          const done = (next as Thunk).v;
          if (done !== undefined) return done;
          try {
            return forceThunk(next as Thunk);
          } catch (err) {
            throw selectTrace(err, e, env, v as NixAttrs, name0);
          }
        }
      }
      return select(e, names, def, env, v);
    };
  }
  return (env) => select(e, names, def, env, base(env));
}

function select(e: ExprSelect, names: NameCode[], def: Code | undefined, env: Env, first: Value): Value {
  let cur: Lazy = first;
  let from: NixAttrs | undefined;
  let fromName = '';
  try {
    for (let i = 0; i < names.length; i++) {
      const name = nameOf(names[i], env);
      const v = force(cur, e.pos);
      if (def !== undefined) {
        if (typeof v !== 'object' || v === null || (v as NixAttrs).k !== K_ATTRS) return def(env);
        const next = (v as NixAttrs).map.get(name);
        if (next === undefined) return def(env);
        cur = next;
      } else {
        if (typeof v !== 'object' || v === null || (v as NixAttrs).k !== K_ATTRS) {
          throw expectedError(v, 'a set', e.pos);
        }
        const next = (v as NixAttrs).map.get(name);
        if (next === undefined) {
          throw new MError('MISSING_ATTR', `attribute '${name}' missing`, {
            pos: e.pos,
            hint: suggestionHint((v as NixAttrs).map.keys(), name),
          });
        }
        cur = next;
      }
      from = v as NixAttrs;
      fromName = name;
    }
    if (typeof cur === 'object' && cur !== null && (cur as Thunk).k === K_THUNK) return forceThunk(cur as Thunk);
    return cur as Value;
  } catch (err) {
    if (from !== undefined) throw selectTrace(err, e, env, from, fromName);
    throw err;
  }
}

/** Adds `while evaluating the attribute …` to an error raised while selecting `fromName` of `from`. */
function selectTrace(err: unknown, e: ExprSelect, env: Env, from: NixAttrs, fromName: string): unknown {
  if (isMError(err)) {
    const p = attrPos(from, fromName);
    if (err.code === 'INFINITE_RECURSION' && err.pos === undefined) err.pos = p ?? e.pos;
    if (p !== undefined && err.trace.length < MAX_TRACE) {
      err.addTrace(`while evaluating the attribute '${showAttrPath(e.attrPath, env)}'`, p);
    }
  }
  return err;
}

function compileHasAttr(e: ExprHasAttr): Code {
  const base = compile(e.e);
  const names = compileNames(e.attrPath);
  return (env) => {
    let cur: Lazy = base(env);
    for (let i = 0; i < names.length; i++) {
      const v = force(cur);
      if (typeof v !== 'object' || v === null || (v as NixAttrs).k !== K_ATTRS) return false;
      const next = (v as NixAttrs).map.get(nameOf(names[i], env));
      if (next === undefined) return false;
      cur = next;
    }
    return true;
  };
}

function compileAttrs(e: ExprAttrs): Code {
  const defs = e.attrs;
  const n = defs.length;
  const names = defs.map((d) => d.name);
  const lazies = defs.map((d) => compileLazy(d.e));
  const dyn = e.dynamicAttrs.map((d) => ({ name: compile(d.nameExpr), value: compileLazy(d.valueExpr), pos: d.pos }));
  if (!e.rec) {
    if (dyn.length === 0) {
      return (env) => {
        const map = new Map<string, Lazy>();
        for (let i = 0; i < n; i++) map.set(names[i], lazies[i](env));
        return { k: K_ATTRS, map, pos: e };
      };
    }
    return (env) => {
      const map = new Map<string, Lazy>();
      for (let i = 0; i < n; i++) map.set(names[i], lazies[i](env));
      return addDynamicAttrs(e, map, dyn, env);
    };
  }
  const inherited = defs.map((d) => d.inherited);
  const displs = defs.map((d) => d.displ);
  const hasOverrides = names.includes('__overrides');
  const codes = hasOverrides ? defs.map((d) => (d.inherited ? null : compile(d.e))) : [];
  return (env) => {
    const map = new Map<string, Lazy>();
    const vals = new Array<Lazy>(n);
    const env2: Env = { up: env, vals, prevWith: -1 };
    for (let i = 0; i < n; i++) {
      const code = hasOverrides ? codes[i] : null;
      const v = code !== null ? mkCodeThunk(code, env2) : lazies[i](inherited[i] ? env : env2);
      vals[displs[i]] = v;
      map.set(names[i], v);
    }
    if (hasOverrides) {
      const ov = forceAttrs(map.get('__overrides')!);
      for (const [name, v] of ov.map) {
        const i = names.indexOf(name);
        if (i >= 0) vals[displs[i]] = v;
        map.set(name, v);
      }
    }
    if (dyn.length === 0) return { k: K_ATTRS, map, pos: e };
    return addDynamicAttrs(e, map, dyn, env2);
  };
}

interface DynamicAttrCode {
  name: Code;
  value: LazyCode;
  pos: Pos;
}

function addDynamicAttrs(e: ExprAttrs, map: Map<string, Lazy>, dyn: DynamicAttrCode[], env: Env): NixAttrs {
  const positions = new Map<string, Pos>();
  for (const d of e.attrs) positions.set(d.name, d.pos);
  for (const d of dyn) {
    const nameVal = force(d.name(env), d.pos);
    if (nameVal === null) continue;
    const name = forceStringNoCtx(nameVal, d.pos);
    if (map.has(name)) {
      throw evalError(`dynamic attribute '${name}' already defined at ${showPos(positions.get(name))}`, d.pos);
    }
    map.set(name, d.value(env));
    positions.set(name, d.pos);
  }
  return { k: K_ATTRS, map, pos: positions };
}

function compileLet(e: ExprLet): Code {
  const defs = e.attrs.attrs;
  const n = defs.length;
  const lazies = defs.map((d) => compileLazy(d.e));
  const inherited = defs.map((d) => d.inherited);
  const displs = defs.map((d) => d.displ);
  const body = compile(e.body);
  return (env) => {
    const vals = new Array<Lazy>(n);
    const env2: Env = { up: env, vals, prevWith: -1 };
    for (let i = 0; i < n; i++) vals[displs[i]] = lazies[i](inherited[i] ? env : env2);
    return body(env2);
  };
}

function compileCall(e: ExprCall): Code {
  const fun = compile(e.fun);
  const args = e.args.map(compileLazy);
  const pos = e.pos;
  if (args.length === 1) {
    const a0 = args[0];
    return (env) => {
      const f = fun(env);
      const a = a0(env);
      if (typeof f === 'object' && f !== null && (f as NixLambda).k === K_LAMBDA) {
        // callLambda, inlined: one JS frame less per Nix call
        const env2 = lambdaEnv(f as NixLambda, a, pos);
        const c = (f as NixLambda).c;
        const body = c.body ?? compileLambdaBody(c);
        if (++callDepth > maxCallDepth) {
          callDepth--;
          throw stackOverflowError(pos);
        }
        try {
          const r = body(env2);
          callDepth--;
          return r;
        } catch (err) {
          callDepth--;
          throw addCallTrace(err, c.lam, pos);
        }
      }
      if (typeof f === 'object' && f !== null && (f as PrimOp).k === K_PRIMOP && (f as PrimOp).arity === 1) {
        return callPrimOp(f as PrimOp, [a], pos);
      }
      return callFunction1(f, a, pos);
    };
  }
  if (args.length === 2) {
    const a0 = args[0];
    const a1 = args[1];
    return (env) => {
      const f = fun(env);
      if (typeof f === 'object' && f !== null) {
        const k = (f as { k: number }).k;
        if (k === K_LAMBDA) {
          // `f a b` of a curried lambda: what callFunction does, without the argument array
          const a = a0(env);
          const b = a1(env);
          return callFunction1(callLambda(f as NixLambda, a, pos), b, pos);
        }
        if (k === K_PRIMOP && (f as PrimOp).arity === 2) return callPrimOp2(f as PrimOp, a0(env), a1(env), pos);
      }
      return callFunction(f, [a0(env), a1(env)], pos);
    };
  }
  const n = args.length;
  return (env) => {
    const f = fun(env);
    const lazies = new Array<Lazy>(n);
    for (let i = 0; i < n; i++) lazies[i] = args[i](env);
    return callFunction(f, lazies, pos);
  };
}

// ---------------------------------------------------------------------------------------------
// Function calls

/** Applies `fun` to the arguments in turn (like Nix's callFunction with nrArgs). */
export function callFunction(fun: Lazy, args: Lazy[], pos?: Pos): Value {
  let cur = force(fun, pos);
  // Fast path: a builtin called with exactly its arity (`a - b`, `builtins.foo x y`).
  if (typeof cur === 'object' && cur !== null && (cur as PrimOp).k === K_PRIMOP && (cur as PrimOp).arity === args.length) {
    return callPrimOp(cur as PrimOp, args, pos);
  }
  let i = 0;
  while (i < args.length) {
    if (typeof cur === 'object' && cur !== null && !Array.isArray(cur)) {
      if (cur.k === K_PRIMOP || cur.k === K_PRIMOP_APP) {
        const primop = cur.k === K_PRIMOP ? cur : cur.primop;
        const have = cur.k === K_PRIMOP ? 0 : cur.args.length;
        const need = primop.arity - have;
        if (args.length - i < need) {
          const got = cur.k === K_PRIMOP ? args.slice(i) : cur.args.concat(args.slice(i));
          return { k: K_PRIMOP_APP, primop, args: got };
        }
        const all = cur.k === K_PRIMOP ? args.slice(i, i + need) : cur.args.concat(args.slice(i, i + need));
        cur = callPrimOp(primop, all, pos);
        i += need;
        continue;
      }
    }
    cur = callFunction1(cur, args[i], pos);
    i++;
  }
  return cur;
}

/** Applies `fun` to one argument. */
export function callFunction1(fun: Lazy, arg: Lazy, pos?: Pos): Value {
  const f = force(fun, pos);
  if (typeof f === 'object' && f !== null && !Array.isArray(f)) {
    switch (f.k) {
      case K_LAMBDA:
        return callLambda(f, arg, pos);
      case K_PRIMOP:
        if (f.arity === 1) return callPrimOp(f, [arg], pos);
        return { k: K_PRIMOP_APP, primop: f, args: [arg] };
      case K_PRIMOP_APP: {
        const args = f.args.concat([arg]);
        if (args.length === f.primop.arity) return callPrimOp(f.primop, args, pos);
        return { k: K_PRIMOP_APP, primop: f.primop, args };
      }
      case K_ATTRS: {
        const functor = f.map.get('__functor');
        if (functor !== undefined) return callFunction(functor, [f, arg], pos);
        break;
      }
    }
  }
  throw typeError(`attempt to call something which is not a function but ${showType(f)}`, pos);
}

function callPrimOp(p: PrimOp, args: Lazy[], pos: Pos | undefined): Value {
  try {
    return p.fn(args, pos);
  } catch (err) {
    throw convertStackOverflow(err, pos);
  }
}

/**
 * A two-argument builtin called with both arguments. The integer cases of the desugared
 * operators (`a - b`, `a * b`, `a < b`, `builtins.add`) are computed here; anything else goes to
 * the builtin, which forces its arguments in the same order with the same position.
 */
function callPrimOp2(p: PrimOp, a: Lazy, b: Lazy, pos: Pos | undefined): Value {
  try {
    const name = p.name;
    if (name === 'sub' || name === 'lessThan' || name === 'mul' || name === 'add') {
      const x = force(a, pos);
      const y = force(b, pos);
      if (typeof x === 'bigint' && typeof y === 'bigint') {
        if (name === 'sub') return BigInt.asIntN(64, x - y);
        if (name === 'lessThan') return x < y;
        if (name === 'mul') return BigInt.asIntN(64, x * y);
        return BigInt.asIntN(64, x + y);
      }
      return p.fn([x, y], pos);
    }
    return p.fn([a, b], pos);
  } catch (err) {
    throw convertStackOverflow(err, pos);
  }
}

function compileLambdaBody(c: LambdaCode): Code {
  const lam = c.lam;
  if (lam.formals !== undefined) {
    c.defaults = lam.formals.formals.map((fm) => (fm.def === undefined ? undefined : compileLazy(fm.def)));
  }
  const body = compile(lam.body);
  c.body = body;
  return body;
}

/** The environment of a call of `f` with `arg` (matching the formals, if any). */
function lambdaEnv(f: NixLambda, arg: Lazy, pos: Pos | undefined): Env {
  const lam = f.fn;
  const formals = lam.formals;
  if (formals === undefined) return { up: f.env, vals: [arg], prevWith: -1 };
  const attrs = forceAttrs(arg, pos);
  const c = f.c;
  if (c.body === null) compileLambdaBody(c);
  const defaults = c.defaults!;
  const fs = formals.formals;
  const hasArg = lam.arg !== undefined && lam.arg !== '';
  const vals = new Array<Lazy>(fs.length + (hasArg ? 1 : 0));
  const env2: Env = { up: f.env, vals, prevWith: -1 };
  let d = 0;
  if (hasArg) vals[d++] = attrs;
  let used = 0;
  const map = attrs.map;
  for (let i = 0; i < fs.length; i++) {
    const v = map.get(fs[i].name);
    if (v === undefined) {
      const def = defaults[i];
      if (def === undefined) {
        throw typeError(`${showLambda(lam)} called without required argument '${fs[i].name}'`, pos);
      }
      vals[d++] = def(env2);
    } else {
      used++;
      vals[d++] = v;
    }
  }
  if (!formals.ellipsis && used !== map.size) unexpectedArgument(lam, attrs, pos);
  return env2;
}

function callLambda(f: NixLambda, arg: Lazy, pos: Pos | undefined): Value {
  const env2 = lambdaEnv(f, arg, pos);
  const c = f.c;
  const body = c.body ?? compileLambdaBody(c);
  if (++callDepth > maxCallDepth) {
    callDepth--;
    throw stackOverflowError(pos);
  }
  try {
    const r = body(env2);
    callDepth--;
    return r;
  } catch (err) {
    callDepth--;
    throw addCallTrace(err, c.lam, pos);
  }
}

function unexpectedArgument(lam: ExprLambda, attrs: NixAttrs, pos: Pos | undefined): never {
  const names = lam.formals!.formals.map((f) => f.name);
  const extra = [...attrs.map.keys()].filter((n) => !names.includes(n)).sort()[0];
  throw typeError(`${showLambda(lam)} called with unexpected argument '${extra}'`, pos, suggestionHint(names, extra));
}

function addCallTrace(err: unknown, lam: ExprLambda, pos: Pos | undefined): unknown {
  if (isMError(err)) {
    if (callTraces && err.trace.length < MAX_TRACE) {
      err.addTrace(`while evaluating ${lam.name !== undefined ? `'${lam.name}'` : 'anonymous lambda'}`, lam.pos);
      err.addTrace('from call site', pos);
    }
    return err;
  }
  return convertStackOverflow(err, pos);
}

// ---------------------------------------------------------------------------------------------
// Operators

function compileBinary(e: ExprBinary): Code {
  const c1 = compile(e.e1);
  const c2 = compile(e.e2);
  const pos = e.pos;
  switch (e.op) {
    case '==':
      return (env) => {
        const a = c1(env);
        const b = c2(env);
        if (typeof a === typeof b && (typeof a === 'bigint' || typeof a === 'string')) return a === b;
        return eqOperands(a, b);
      };
    case '!=':
      return (env) => {
        const a = c1(env);
        const b = c2(env);
        if (typeof a === typeof b && (typeof a === 'bigint' || typeof a === 'string')) return a !== b;
        return !eqOperands(a, b);
      };
    case '&&':
      return (env) => toBool(c1(env), pos) && toBool(c2(env), pos);
    case '||':
      return (env) => toBool(c1(env), pos) || toBool(c2(env), pos);
    case '->':
      return (env) => !toBool(c1(env), pos) || toBool(c2(env), pos);
    case '//':
      return (env) => {
        const a = attrsOperand(c1(env));
        const b = attrsOperand(c2(env));
        try {
          return updateAttrs(a, b);
        } catch (err) {
          throw convertLimitError(err, pos);
        }
      };
    case '++':
      return (env) => concatLists([c1(env), c2(env)], pos);
  }
}

function attrsOperand(v: Value): NixAttrs {
  if (typeof v === 'object' && v !== null && (v as NixAttrs).k === K_ATTRS) return v as NixAttrs;
  throw expectedError(v, 'a set');
}

/** `a // b`. */
export function updateAttrs(a: NixAttrs, b: NixAttrs): NixAttrs {
  if (a.map.size === 0) return b;
  if (b.map.size === 0) return a;
  const map = mergeMaps(a.map, b.map);
  const pos: AttrPositions = a.pos === null && b.pos === null ? null : { left: a.pos, right: b };
  return { k: K_ATTRS, map, pos };
}

export function concatLists(lists: Lazy[], pos?: Pos): NixList {
  let len = 0;
  let nonEmpty: NixList | undefined;
  const forced = new Array<NixList>(lists.length);
  for (let i = 0; i < lists.length; i++) {
    const l = forceList(lists[i], pos);
    forced[i] = l;
    len += l.length;
    if (l.length > 0) nonEmpty = l;
  }
  if (nonEmpty !== undefined && nonEmpty.length === len) return nonEmpty;
  if (len > MAX_LIST_LENGTH) throw listTooLong(len, pos);
  const out = new Array<Lazy>(len);
  let j = 0;
  for (const l of forced) for (let i = 0; i < l.length; i++) out[j++] = l[i];
  return out;
}

function compileConcatStrings(e: ExprConcatStrings): Code {
  const codes = e.es.map(compile);
  if (!e.forceString && codes.length === 2) {
    // `a + b`: integers and context-free strings without a separate pass
    const c0 = codes[0];
    const c1 = codes[1];
    return (env) => {
      const a = c0(env);
      if (typeof a === 'bigint') {
        const b = c1(env);
        if (typeof b === 'bigint') return BigInt.asIntN(64, a + b);
        return concatStrings(e, codes, env, a, b);
      }
      if (typeof a === 'string') {
        const b = c1(env);
        if (typeof b === 'string' && a.length + b.length < MAX_STRING_LENGTH) {
          const c = b.length > 0 ? b.charCodeAt(0) : 0;
          if (c < 0xdc80 || c > 0xdcbf) return a + b;
        }
        return concatStrings(e, codes, env, a, b);
      }
      return concatStrings(e, codes, env, a, undefined);
    };
  }
  return (env) => concatStrings(e, codes, env, codes[0](env), undefined);
}

/** `es` concatenated (or added); `first` is the value of es[0], `second` that of es[1] if already evaluated. */
function concatStrings(e: ExprConcatStrings, codes: Code[], env: Env, first: Value, second: Value | undefined): Value {
  const esPos = (e as ExprConcatStrings & { esPos?: Pos[] }).esPos;
  if (!e.forceString) {
    if (typeof first === 'bigint' || typeof first === 'number') return addNumbers(first, second, codes, esPos, env, e.pos);
  }
  const isPath = !e.forceString && typeof first === 'object' && first !== null && (first as { k?: number }).k === K_PATH;
  const copyToStore =
    e.forceString || typeof first === 'string' || (typeof first === 'object' && first !== null && (first as { k?: number }).k === K_STRING);
  let ctx: Set<string> | null = null;
  let out: string;
  if (typeof first === 'string') out = first;
  else {
    ctx = new Set();
    out = coerceToString(first, esPos?.[0] ?? e.pos, ctx, false, copyToStore, e.forceString);
  }
  let seams = false;
  try {
    for (let i = 1; i < codes.length; i++) {
      const v = i === 1 && second !== undefined ? second : codes[i](env);
      let piece: string;
      if (typeof v === 'string') piece = v;
      else {
        if (ctx === null) ctx = new Set();
        piece = coerceToString(v, esPos?.[i] ?? e.pos, ctx, false, copyToStore, true);
      }
      // escaped bytes meeting at the seam may form a UTF-8 sequence (see @m/nix-compat bytes.ts)
      if (!seams && piece.length > 0 && piece.charCodeAt(0) >= 0xdc80 && piece.charCodeAt(0) <= 0xdcbf) seams = seamNeedsNormalise(out, piece);
      out += piece;
    }
  } catch (err) {
    throw convertLimitError(err, e.pos);
  }
  if (seams) out = normaliseString(out);
  if (isPath) {
    if (ctx !== null && ctx.size > 0) {
      throw evalError('a string that refers to a store path cannot be appended to a path', e.pos);
    }
    return mkPath(canonPath(out));
  }
  return mkString(out, ctx);
}

function addNumbers(first: bigint | number, second: Value | undefined, codes: Code[], esPos: Pos[] | undefined, env: Env, pos: Pos): Value {
  let n = typeof first === 'bigint' ? first : 0n;
  let f = typeof first === 'number' ? first : 0;
  let isFloat = typeof first === 'number';
  for (let i = 1; i < codes.length; i++) {
    const v = i === 1 && second !== undefined ? second : codes[i](env);
    if (!isFloat) {
      if (typeof v === 'bigint') n = BigInt.asIntN(64, n + v);
      else if (typeof v === 'number') {
        isFloat = true;
        f = Number(n) + v;
      } else throw evalError(`cannot add ${showType(v)} to an integer`, esPos?.[i] ?? pos);
    } else {
      if (typeof v === 'bigint') f += Number(v);
      else if (typeof v === 'number') f += v;
      else throw evalError(`cannot add ${showType(v)} to a float`, esPos?.[i] ?? pos);
    }
  }
  return isFloat ? f : n;
}

// ---------------------------------------------------------------------------------------------
// Deep forcing

/** Forces a value and, recursively, everything inside it (Nix's forceValueDeep). */
export function forceDeep(v: Lazy, pos?: Pos): Value {
  const seen = new Set<object>();
  const rec = (x: Lazy): void => {
    const r = force(x, pos);
    if (typeof r !== 'object' || r === null) return;
    if (seen.has(r)) return;
    seen.add(r);
    if (Array.isArray(r)) {
      for (let i = 0; i < r.length; i++) rec(r[i]);
    } else if (r.k === K_ATTRS) {
      for (const [name, a] of r.map) {
        try {
          rec(a);
        } catch (err) {
          if (isMError(err) && err.trace.length < MAX_TRACE) {
            const p = attrPos(r, name);
            if (p) err.addTrace(`while evaluating the attribute '${name}'`, p);
          }
          throw err;
        }
      }
    }
  };
  rec(v);
  return force(v, pos);
}

export { getState };
