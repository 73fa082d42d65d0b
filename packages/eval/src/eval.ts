/**
 * The evaluator core: expression evaluation, forcing, function calls.
 *
 * Plain recursive evaluation with a `switch` on the node kind. `if`, `let`, `with` and `assert`
 * continue in the same JS frame (loop), so one Nix call level costs about four JS frames
 * (evalExpr → callFunction → callLambda → evalExpr). JS stack exhaustion is converted into
 * MError('STACK_OVERFLOW') at call boundaries; black-holed thunks are restored on any exception.
 */
import { MError, isMError } from '@m/core';
import type {
  AttrName,
  Expr,
  ExprAttrs,
  ExprBinary,
  ExprCall,
  ExprConcatStrings,
  ExprLambda,
  ExprSelect,
  ExprVar,
  Pos,
} from '@m/lang';
import { normaliseString, seamNeedsNormalise } from '@m/nix-compat';
import {
  MAX_LIST_LENGTH,
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
  mkThunk,
  showType,
  type AttrPositions,
  type Env,
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
  const expr = t.expr;
  if (expr !== null) {
    const env = t.env;
    t.expr = null;
    t.env = null;
    try {
      const r = evalExpr(expr, env!);
      t.v = r;
      return r;
    } catch (e) {
      t.expr = expr;
      t.env = env;
      throw e;
    }
  }
  const fn = t.fn;
  if (fn !== null) {
    t.fn = null;
    try {
      const r = fn();
      t.v = r;
      return r;
    } catch (e) {
      t.fn = fn;
      throw e;
    }
  }
  throw new MError('INFINITE_RECURSION', 'infinite recursion encountered', { pos });
}

/** The value of an expression without evaluating it when that is free (Nix's maybeThunk). */
export function maybeThunk(e: Expr, env: Env): Lazy {
  switch (e.kind) {
    case 'int':
    case 'float':
    case 'string':
      return e.value;
    case 'path':
      return mkPath(e.value);
    case 'var': {
      let en = env;
      for (let l = e.level; l > 0; l--) en = en.up!;
      if (!e.fromWith) {
        const v = en.vals[e.displ];
        if (v !== undefined) return v;
      } else {
        const v = lookupWithNoEval(e, en);
        if (v !== undefined) return v;
      }
      break;
    }
    case 'lambda':
      break;
  }
  return { k: K_THUNK, expr: e, env, fn: null, v: undefined };
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
// Expressions

export function evalExpr(e: Expr, env: Env): Value {
  for (;;) {
    switch (e.kind) {
      case 'int':
      case 'float':
      case 'string':
        return e.value;
      case 'path':
        return mkPath(e.value);
      case 'var': {
        let en = env;
        for (let l = e.level; l > 0; l--) en = en.up!;
        if (e.fromWith) return lookupWith(e, en);
        const v = en.vals[e.displ];
        if (typeof v === 'object' && v !== null && (v as Thunk).k === K_THUNK) {
          const r = forceThunk(v as Thunk, e.pos);
          en.vals[e.displ] = r;
          return r;
        }
        return v as Value;
      }
      case 'select':
        return evalSelect(e, env);
      case 'hasAttr': {
        let cur: Lazy = evalExpr(e.e, env);
        for (const a of e.attrPath) {
          const v = force(cur);
          if (typeof v !== 'object' || v === null || (v as NixAttrs).k !== K_ATTRS) return false;
          const next = (v as NixAttrs).map.get(getName(a, env));
          if (next === undefined) return false;
          cur = next;
        }
        return true;
      }
      case 'attrs':
        return evalAttrs(e, env);
      case 'list': {
        const elems = e.elems;
        const out = new Array<Lazy>(elems.length);
        for (let i = 0; i < elems.length; i++) out[i] = maybeThunk(elems[i], env);
        return out;
      }
      case 'lambda':
        return { k: K_LAMBDA, fn: e, env };
      case 'call':
        return evalCall(e, env);
      case 'let': {
        const defs = e.attrs.attrs;
        const vals = new Array<Lazy>(defs.length);
        const env2: Env = { up: env, vals, prevWith: -1 };
        for (let i = 0; i < defs.length; i++) {
          const d = defs[i];
          vals[d.displ] = maybeThunk(d.e, d.inherited ? env : env2);
        }
        env = env2;
        e = e.body;
        continue;
      }
      case 'with':
        env = { up: env, vals: [mkThunk(e.attrs, env)], prevWith: e.prevWith };
        e = e.body;
        continue;
      case 'if':
        e = evalBool(e.cond, env, e.pos) ? e.then : e.else;
        continue;
      case 'assert':
        if (!evalBool(e.cond, env, e.pos)) {
          throw new MError('ASSERTION_FAILED', `assertion '${showExpr(e.cond)}' failed`, { pos: e.pos });
        }
        e = e.body;
        continue;
      case 'not':
        return !evalBool(e.e, env);
      case 'binary':
        return evalBinary(e, env);
      case 'concatStrings':
        return evalConcatStrings(e, env);
      case 'curPos':
        return mkPosValue(e.pos);
      default:
        throw new MError('INTERNAL', `unknown expression kind '${(e as { kind: string }).kind}'`);
    }
  }
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

function evalBool(e: Expr, env: Env, pos?: Pos): boolean {
  const v = evalExpr(e, env);
  if (typeof v === 'boolean') return v;
  throw expectedError(v, 'a Boolean', pos);
}

export function getName(a: AttrName, env: Env): string {
  if (a.name !== undefined) return a.name;
  return forceStringNoCtx(evalExpr(a.expr, env));
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

function evalSelect(e: ExprSelect, env: Env): Value {
  let cur: Lazy = evalExpr(e.e, env);
  const path = e.attrPath;
  let from: NixAttrs | undefined;
  let fromName = '';
  try {
    for (let i = 0; i < path.length; i++) {
      const name = getName(path[i], env);
      const v = force(cur, e.pos);
      if (e.def !== undefined) {
        if (typeof v !== 'object' || v === null || (v as NixAttrs).k !== K_ATTRS) return evalExpr(e.def, env);
        const next = (v as NixAttrs).map.get(name);
        if (next === undefined) return evalExpr(e.def, env);
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
    if (from !== undefined && isMError(err)) {
      const p = attrPos(from, fromName);
      if (err.code === 'INFINITE_RECURSION' && err.pos === undefined) err.pos = p ?? e.pos;
      if (p !== undefined && err.trace.length < MAX_TRACE) {
        err.addTrace(`while evaluating the attribute '${showAttrPath(path, env)}'`, p);
      }
    }
    throw err;
  }
}

function evalAttrs(e: ExprAttrs, env: Env): NixAttrs {
  const map = new Map<string, Lazy>();
  const defs = e.attrs;
  let dynEnv = env;
  if (e.rec) {
    const vals = new Array<Lazy>(defs.length);
    const env2: Env = { up: env, vals, prevWith: -1 };
    dynEnv = env2;
    const hasOverrides = map.has('__overrides') || defs.some((d) => d.name === '__overrides');
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i];
      const v =
        hasOverrides && !d.inherited ? mkThunk(d.e, env2) : maybeThunk(d.e, d.inherited ? env : env2);
      vals[d.displ] = v;
      map.set(d.name, v);
    }
    if (hasOverrides) {
      const ov = forceAttrs(map.get('__overrides')!);
      for (const [name, v] of ov.map) {
        const d = defs.find((x) => x.name === name);
        if (d !== undefined) vals[d.displ] = v;
        map.set(name, v);
      }
    }
  } else {
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i];
      map.set(d.name, maybeThunk(d.e, env));
    }
  }
  if (e.dynamicAttrs.length === 0) return { k: K_ATTRS, map, pos: e };
  const positions = new Map<string, Pos>();
  for (const d of defs) positions.set(d.name, d.pos);
  for (const d of e.dynamicAttrs) {
    const nameVal = force(evalExpr(d.nameExpr, dynEnv), d.pos);
    if (nameVal === null) continue;
    const name = forceStringNoCtx(nameVal, d.pos);
    if (map.has(name)) {
      throw evalError(`dynamic attribute '${name}' already defined at ${showPos(positions.get(name))}`, d.pos);
    }
    map.set(name, maybeThunk(d.valueExpr, dynEnv));
    positions.set(name, d.pos);
  }
  return { k: K_ATTRS, map, pos: positions };
}

function evalCall(e: ExprCall, env: Env): Value {
  const fun = evalExpr(e.fun, env);
  const args = e.args;
  if (args.length === 1) return callFunction1(fun, maybeThunk(args[0], env), e.pos);
  const lazies = new Array<Lazy>(args.length);
  for (let i = 0; i < args.length; i++) lazies[i] = maybeThunk(args[i], env);
  return callFunction(fun, lazies, e.pos);
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

function callLambda(f: NixLambda, arg: Lazy, pos: Pos | undefined): Value {
  const lam = f.fn;
  const formals = lam.formals;
  let env2: Env;
  if (formals === undefined) {
    env2 = { up: f.env, vals: [arg], prevWith: -1 };
  } else {
    const attrs = forceAttrs(arg, pos);
    const fs = formals.formals;
    const hasArg = lam.arg !== undefined && lam.arg !== '';
    const vals = new Array<Lazy>(fs.length + (hasArg ? 1 : 0));
    env2 = { up: f.env, vals, prevWith: -1 };
    let d = 0;
    if (hasArg) vals[d++] = attrs;
    let used = 0;
    for (let i = 0; i < fs.length; i++) {
      const fm = fs[i];
      const v = attrs.map.get(fm.name);
      if (v === undefined) {
        if (fm.def === undefined) {
          throw typeError(`${showLambda(lam)} called without required argument '${fm.name}'`, pos);
        }
        vals[d++] = maybeThunk(fm.def, env2);
      } else {
        used++;
        vals[d++] = v;
      }
    }
    if (!formals.ellipsis && used !== attrs.map.size) unexpectedArgument(lam, attrs, pos);
  }
  if (++callDepth > maxCallDepth) {
    callDepth--;
    throw stackOverflowError(pos);
  }
  try {
    const r = evalExpr(lam.body, env2);
    callDepth--;
    return r;
  } catch (err) {
    callDepth--;
    throw addCallTrace(err, lam, pos);
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

function evalBinary(e: ExprBinary, env: Env): Value {
  switch (e.op) {
    case '==':
      return eqOperands(evalExpr(e.e1, env), evalExpr(e.e2, env));
    case '!=':
      return !eqOperands(evalExpr(e.e1, env), evalExpr(e.e2, env));
    case '&&':
      return evalBool(e.e1, env, e.pos) && evalBool(e.e2, env, e.pos);
    case '||':
      return evalBool(e.e1, env, e.pos) || evalBool(e.e2, env, e.pos);
    case '->':
      return !evalBool(e.e1, env, e.pos) || evalBool(e.e2, env, e.pos);
    case '//': {
      const a = evalAttrsValue(e.e1, env);
      const b = evalAttrsValue(e.e2, env);
      try {
        return updateAttrs(a, b);
      } catch (err) {
        throw convertLimitError(err, e.pos);
      }
    }
    case '++':
      return concatLists([evalExpr(e.e1, env), evalExpr(e.e2, env)], e.pos);
  }
}

function evalAttrsValue(e: Expr, env: Env): NixAttrs {
  const v = evalExpr(e, env);
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

function evalConcatStrings(e: ExprConcatStrings, env: Env): Value {
  const es = e.es;
  const esPos = (e as ExprConcatStrings & { esPos?: Pos[] }).esPos;
  const first = evalExpr(es[0], env);
  if (!e.forceString) {
    if (typeof first === 'bigint' || typeof first === 'number') return addNumbers(first, es, esPos, env, e.pos);
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
    for (let i = 1; i < es.length; i++) {
      const v = evalExpr(es[i], env);
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

function addNumbers(first: bigint | number, es: Expr[], esPos: Pos[] | undefined, env: Env, pos: Pos): Value {
  let n = typeof first === 'bigint' ? first : 0n;
  let f = typeof first === 'number' ? first : 0;
  let isFloat = typeof first === 'number';
  for (let i = 1; i < es.length; i++) {
    const v = evalExpr(es[i], env);
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
