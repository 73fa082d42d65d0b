/**
 * The "less than" that builtins.sort calls for a comparator: Nix 2.8 calls the comparator on each
 * pair (std::stable_sort with the user's function), except for the `lessThan` builtin itself,
 * which it compares with CompareValues.
 *
 * The comparator `a: b: a < b` (or `a: b: b < a`), whose `<` is the `__lessThan` builtin, is a
 * plain comparison: calling it is replaced by the comparison it makes (the same `lessThan` the
 * builtin runs), on bare integers by JS `<`. When that comparison throws (values of different
 * types, an element of a nested list that fails), the comparator is called on the same pair, so
 * the error and its position are the ones the call gives. Comparisons of already forced values
 * are pure, so the results are those of the calls.
 */
import type { ExprVar } from '@m/lang';
import { callFunction, callFunction1, forceBool, lessThan, type Lazy, type Value } from './api';
import { K_LAMBDA, K_PRIMOP, type Env, type NixLambda, type PrimOp } from '../value';

type Less = (a: Lazy, b: Lazy) => boolean;

function isLessThanPrimOp(v: Lazy): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.k === K_PRIMOP && (v as PrimOp).name === 'lessThan';
}

const isVar = (e: { kind: string }, level: number): boolean =>
  e.kind === 'var' && !(e as ExprVar).fromWith && (e as ExprVar).level === level && (e as ExprVar).displ === 0;

/** 1 for `a: b: a < b`, -1 for `a: b: b < a`, 0 for any other function. */
function plainComparison(f: Value): 1 | -1 | 0 {
  if (typeof f !== 'object' || f === null || Array.isArray(f) || f.k !== K_LAMBDA) return 0;
  const outer = (f as NixLambda).fn;
  const inner = outer.body;
  if (outer.formals !== undefined || inner.kind !== 'lambda' || inner.formals !== undefined) return 0;
  const call = inner.body;
  if (call.kind !== 'call' || call.args.length !== 2 || call.fun.kind !== 'var') return 0;
  const fun = call.fun;
  if (fun.fromWith || fun.level < 2) return 0;
  // `__lessThan` as seen from the comparator's body: two environments (b's, a's) below f's.
  let env: Env | null = (f as NixLambda).env;
  for (let l = fun.level - 2; l > 0 && env !== null; l--) env = env.up;
  if (env === null || !isLessThanPrimOp(env.vals[fun.displ])) return 0;
  const [x, y] = call.args;
  if (isVar(x, 1) && isVar(y, 0)) return 1;
  if (isVar(x, 0) && isVar(y, 1)) return -1;
  return 0;
}

/** The comparison sort makes with comparator `f` over `list` (forced values). */
export function sortLess(f: Value, list: readonly Lazy[], pos: Parameters<typeof callFunction>[2], compareValues: Less): Less {
  if (isLessThanPrimOp(f)) return compareValues;
  const call: Less =
    typeof f === 'object' && f !== null && !Array.isArray(f) && f.k === K_PRIMOP
      ? (a, b) => forceBool(callFunction(f, [a, b], pos), pos)
      : (a, b) => forceBool(callFunction1(callFunction1(f, a, pos), b, pos), pos);
  const order = plainComparison(f);
  if (order === 0) return call;
  let ints = true;
  for (let i = 0; i < list.length && ints; i++) ints = typeof list[i] === 'bigint';
  if (ints) return order === 1 ? (a, b) => (a as bigint) < (b as bigint) : (a, b) => (b as bigint) < (a as bigint);
  const tryLess: Less = (a, b) => {
    try {
      return lessThan(a, b);
    } catch {
      return call(a, b);
    }
  };
  if (order === 1) return tryLess;
  return (a, b) => {
    try {
      return lessThan(b, a);
    } catch {
      return call(a, b);
    }
  };
}
