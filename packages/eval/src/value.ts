/**
 * Runtime representation of Nix values.
 *
 * | Nix type        | JS representation                                                        |
 * |-----------------|--------------------------------------------------------------------------|
 * | null            | `null`                                                                   |
 * | Boolean         | `true` / `false`                                                         |
 * | integer         | `bigint`, always kept in signed 64-bit range (`BigInt.asIntN(64, …)`)     |
 * | float           | `number`                                                                 |
 * | string          | a JS `string` when it has no context, else `NixStringCtx { k: 1, s, ctx }` |
 * | path            | `NixPath { k: 2, path }` (absolute, canonical)                           |
 * | list            | a JS array of `Lazy` (elements may be unevaluated thunks)                 |
 * | set             | `NixAttrs { k: 3, map, pos }` (`map`: name → Lazy)                        |
 * | lambda          | `NixLambda { k: 4, fn: ExprLambda, env, c }` (`c`: its compiled code)      |
 * | primop          | `PrimOp { k: 5, name, arity, fn }`                                        |
 * | partial primop  | `PrimOpApp { k: 6, primop, args }`                                        |
 * | thunk           | `Thunk { k: 0, … }` — only ever found inside containers (`Lazy`)          |
 *
 * Strings: Nix strings are byte strings; m stores them as JS strings holding the UTF-8-decoded
 * text (source files and IO are decoded as UTF-8). Byte-oriented builtins (stringLength,
 * substring, hashing) convert through UTF-8 (see pure/strings.ts). Bytes that are not valid
 * UTF-8 are not preserved (a documented limitation).
 *
 * String context elements use Nix's encoding: `/nix/store/…` (a plain store path),
 * `=/nix/store/….drv` (a derivation with all its outputs), `!out!/nix/store/….drv` (one output).
 * A context set is never mutated after it is attached to a value.
 *
 * Containers hold `Lazy` = Value | Thunk. A thunk is compiled code with its environment (an
 * expression, see eval.ts), or a JS closure without environment for lazily applied builtins.
 * While being forced it is a black hole (`c` and `env` are null and `v` is undefined); forcing it
 * again then reports `infinite recursion encountered`. On an exception the thunk is restored.
 */
import type { ExprAttrs, ExprLambda, Pos } from '@m/lang';

export const K_THUNK = 0;
export const K_STRING = 1;
export const K_PATH = 2;
export const K_ATTRS = 3;
export const K_LAMBDA = 4;
export const K_PRIMOP = 5;
export const K_PRIMOP_APP = 6;

export interface NixStringCtx {
  readonly k: 1;
  readonly s: string;
  /** Never empty. */
  readonly ctx: ReadonlySet<string>;
}

export interface NixPath {
  readonly k: 2;
  readonly path: string;
}

/**
 * Where each attribute of a set was defined (for unsafeGetAttrPos and traces):
 * none, an explicit map, the static attributes of the set expression that made it,
 * or the merge of two sets (`a // b`).
 */
export type AttrPositions =
  | null
  | Map<string, Pos>
  | ExprAttrs
  | AttrPositionsUpdate;

/**
 * Positions of `a // b`: `right` (the set b) answers for its own names, `left` (a's positions)
 * for the rest. Only b's set is retained, so long `//` chains do not keep every intermediate set alive.
 */
export interface AttrPositionsUpdate {
  readonly left: AttrPositions;
  readonly right: NixAttrs;
}

export interface NixAttrs {
  readonly k: 3;
  readonly map: Map<string, Lazy>;
  readonly pos: AttrPositions;
}

export interface Env {
  readonly up: Env | null;
  readonly vals: Lazy[];
  /** For `with` environments: distance to the next enclosing `with` (0: none). -1 otherwise. */
  readonly prevWith: number;
}

export interface NixLambda {
  readonly k: 4;
  readonly fn: ExprLambda;
  readonly env: Env;
  /** The compiled lambda (shared by every closure of the same expression; see eval.ts). */
  readonly c: LambdaCode;
}

/** Compiled code of an expression: evaluates it in an environment. */
export type Code = (env: Env) => Value;

/** Compiled lambda: its body and formal defaults, compiled on the first call. */
export interface LambdaCode {
  readonly lam: ExprLambda;
  body: Code | null;
  /** Per formal, the code making its default's (lazy) value; undefined for formals without one. */
  defaults: (((env: Env) => Lazy) | undefined)[] | null;
}

/** A builtin function. `fn` receives exactly `arity` (unforced) arguments. */
export interface PrimOp {
  readonly k: 5;
  readonly name: string;
  readonly arity: number;
  readonly fn: (args: Lazy[], pos: Pos | undefined) => Value;
}

export interface PrimOpApp {
  readonly k: 6;
  readonly primop: PrimOp;
  /** Fewer than `primop.arity` arguments. */
  readonly args: Lazy[];
}

export interface Thunk {
  readonly k: 0;
  /**
   * What forcing runs, called with `env` and the thunk itself (compiled code uses the first, an
   * application thunk reads its function and argument from the second); null once forced and
   * while being forced.
   */
  c: ThunkCode | null;
  env: Env | null;
  v: Value | undefined;
}

export type ThunkCode = (env: Env, self: Thunk) => Value;

export type NixList = Lazy[];

export type Value =
  | null
  | boolean
  | bigint
  | number
  | string
  | NixStringCtx
  | NixPath
  | NixList
  | NixAttrs
  | NixLambda
  | PrimOp
  | PrimOpApp;

export type Lazy = Value | Thunk;

// ---------------------------------------------------------------------------------------------
// Constructors

export const EMPTY_CTX: ReadonlySet<string> = new Set();

export function mkString(s: string, ctx?: ReadonlySet<string> | null): string | NixStringCtx {
  if (!ctx || ctx.size === 0) return s;
  return { k: K_STRING, s, ctx };
}

export function mkPath(path: string): NixPath {
  return { k: K_PATH, path };
}

export function mkAttrs(map: Map<string, Lazy>, pos: AttrPositions = null): NixAttrs {
  return { k: K_ATTRS, map, pos };
}

/** Builds a set from a plain object (values already evaluated or lazy). */
export function attrsFromObject(o: Record<string, Lazy>): NixAttrs {
  return mkAttrs(new Map(Object.entries(o)));
}

export function mkInt(n: bigint | number): bigint {
  return BigInt.asIntN(64, typeof n === 'bigint' ? n : BigInt(n));
}

/** A thunk of compiled code (`mkThunk` in eval.ts makes one from an expression). */
export function mkCodeThunk(c: Code, env: Env): Thunk {
  return { k: K_THUNK, c, env, v: undefined };
}

/** A thunk computed by a JS closure (lazy builtin results such as `map f xs` elements). */
export function mkLazy(fn: () => Value): Thunk {
  return { k: K_THUNK, c: fn, env: null, v: undefined };
}

export const emptyAttrs = (): NixAttrs => mkAttrs(new Map());

// ---------------------------------------------------------------------------------------------
// Type guards (for forced values)

export function isThunk(v: Lazy): v is Thunk {
  return typeof v === 'object' && v !== null && (v as { k?: number }).k === K_THUNK;
}

export function isList(v: Value): v is NixList {
  return Array.isArray(v);
}

export function isAttrs(v: Value): v is NixAttrs {
  return typeof v === 'object' && v !== null && (v as { k?: number }).k === K_ATTRS;
}

export function isString(v: Value): v is string | NixStringCtx {
  return typeof v === 'string' || (typeof v === 'object' && v !== null && (v as { k?: number }).k === K_STRING);
}

export function isPath(v: Value): v is NixPath {
  return typeof v === 'object' && v !== null && (v as { k?: number }).k === K_PATH;
}

export function isFunction(v: Value): v is NixLambda | PrimOp | PrimOpApp {
  if (typeof v !== 'object' || v === null) return false;
  const k = (v as { k?: number }).k;
  return k === K_LAMBDA || k === K_PRIMOP || k === K_PRIMOP_APP;
}

export function isLambda(v: Value): v is NixLambda {
  return typeof v === 'object' && v !== null && (v as { k?: number }).k === K_LAMBDA;
}

/** The characters of a (forced) string value. */
export function strOf(v: string | NixStringCtx): string {
  return typeof v === 'string' ? v : v.s;
}

export function ctxOf(v: string | NixStringCtx): ReadonlySet<string> {
  return typeof v === 'string' ? EMPTY_CTX : v.ctx;
}

export type NixTypeName = 'null' | 'bool' | 'int' | 'float' | 'string' | 'path' | 'list' | 'set' | 'lambda';

/** `builtins.typeOf` names. */
export function typeOf(v: Value): NixTypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'list';
  switch (v.k) {
    case K_STRING:
      return 'string';
    case K_PATH:
      return 'path';
    case K_ATTRS:
      return 'set';
    default:
      return 'lambda';
  }
}

/** Nix's `showType`: the phrase used in type errors ("a string", "an integer", …). */
export function showType(v: Lazy): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'a Boolean';
    case 'bigint':
      return 'an integer';
    case 'number':
      return 'a float';
    case 'string':
      return 'a string';
  }
  if (Array.isArray(v)) return 'a list';
  switch (v.k) {
    case K_THUNK:
      return 'a thunk';
    case K_STRING:
      return 'a string with context';
    case K_PATH:
      return 'a path';
    case K_ATTRS:
      return 'a set';
    case K_LAMBDA:
      return 'a function';
    case K_PRIMOP:
      return `the built-in function '${v.name}'`;
    case K_PRIMOP_APP:
      return `the partially applied built-in function '${v.primop.name}'`;
  }
}
