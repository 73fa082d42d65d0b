/**
 * Application thunks: the lazy element `f x` of `map f xs` and `genList f n`, and `f name value`
 * of `mapAttrs`/`zipAttrsWith`, without a JS closure per element. A thunk whose code `c` is one of the shared functions below carries the
 * function in `f` and the argument in `a` (for genList: the index as a JS number, made an integer
 * value only when the element is forced). Forcing applies `f` without a position (as Nix's tApp
 * thunks) and then drops `f` (and `a` unless it is an index); on an error they stay, so forcing
 * again retries.
 */
import type { Pos } from '@m/lang';
import { callFunction, callFunction1, type Lazy, type Value } from './api';
import { K_THUNK, type Thunk } from '../value';

interface ApplyThunk extends Thunk {
  f: Lazy;
  a: Lazy | number;
}

function apply1(_env: unknown, t: Thunk): Value {
  const at = t as ApplyThunk;
  const r = callFunction1(at.f, at.a as Lazy);
  at.f = null;
  at.a = null;
  return r;
}

function applyIndex(_env: unknown, t: Thunk): Value {
  const at = t as ApplyThunk;
  const r = callFunction1(at.f, BigInt(at.a as number));
  // `a` (a number) is left as it is: making it null would change the field's representation
  // and make V8 migrate every other genList element when it is next touched.
  at.f = null;
  return r;
}

/** The lazy application `f x`. */
export function mkApply(f: Lazy, x: Lazy): Thunk {
  const t: ApplyThunk = { k: K_THUNK, c: apply1, env: null, v: undefined, f, a: x };
  return t;
}

/** The lazy application `f i` of genList, `i` a list index. */
export function mkApplyIndex(f: Lazy, i: number): Thunk {
  const t: ApplyThunk = { k: K_THUNK, c: applyIndex, env: null, v: undefined, f, a: i };
  return t;
}

interface Apply2Thunk extends Thunk {
  f: Lazy;
  a: Lazy;
  b: Lazy;
  /** The position the call reports (the builtin's call site). */
  p: Pos | undefined;
}

function apply2(_env: unknown, t: Thunk): Value {
  const at = t as Apply2Thunk;
  const r = callFunction(at.f, [at.a, at.b], at.p);
  at.f = null;
  at.a = null;
  at.b = null;
  return r;
}

/** The lazy application `f x y`, reported at `pos`. */
export function mkApply2(f: Lazy, x: Lazy, y: Lazy, pos: Pos | undefined): Thunk {
  const t: Apply2Thunk = { k: K_THUNK, c: apply2, env: null, v: undefined, f, a: x, b: y, p: pos };
  return t;
}
