/** Core builtins: constants, arithmetic, comparison, type predicates, control and debugging. */
import { MError, isMError } from '@m/core';
import {
  coerceToString,
  evalError,
  force,
  forceDeep,
  forceFloat,
  forceInt,
  forceStringNoCtx,
  lessThan,
  mkAttrs,
  mkString,
  printValue,
  typeOf,
  type BuiltinDef,
  type Lazy,
  type Value,
} from './api';
import { K_ATTRS, K_LAMBDA, K_PATH, K_PRIMOP, K_PRIMOP_APP, K_STRING } from '../value';

const INT64_MIN = -(1n << 63n);

function isKind(v: Value, k: number): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.k === k;
}

function typePredicate(name: string, test: (v: Value) => boolean): BuiltinDef {
  return { name, arity: 1, fn: (args, _ctx, pos) => test(force(args[0], pos)) };
}

function arith(name: string, intOp: (a: bigint, b: bigint) => bigint, floatOp: (a: number, b: number) => number): BuiltinDef {
  return {
    name,
    arity: 2,
    fn: (args, _ctx, pos) => {
      const a = force(args[0], pos);
      const b = force(args[1], pos);
      if (typeof a === 'number' || typeof b === 'number') return floatOp(forceFloat(a, pos), forceFloat(b, pos));
      return BigInt.asIntN(64, intOp(forceInt(a, pos), forceInt(b, pos)));
    },
  };
}

export const coreBuiltins: BuiltinDef[] = [
  { name: 'true', value: () => true },
  { name: 'false', value: () => false },
  { name: 'null', value: () => null },
  { name: '__currentSystem', value: () => 'x86_64-linux', impure: true },
  { name: '__currentTime', value: () => BigInt(Math.floor(Date.now() / 1000)), impure: true },
  { name: '__nixVersion', value: () => '2.8.0' },
  { name: '__langVersion', value: () => 6n },
  { name: '__storeDir', value: (ctx) => ctx.storeDir },

  arith('__add', (a, b) => a + b, (a, b) => a + b),
  arith('__sub', (a, b) => a - b, (a, b) => a - b),
  arith('__mul', (a, b) => a * b, (a, b) => a * b),
  {
    name: '__div',
    arity: 2,
    fn: (args, _ctx, pos) => {
      const a = force(args[0], pos);
      const b = force(args[1], pos);
      const f2 = forceFloat(b, pos);
      if (f2 === 0) throw evalError('division by zero', pos);
      if (typeof a === 'number' || typeof b === 'number') return forceFloat(a, pos) / f2;
      const i1 = forceInt(a, pos);
      const i2 = forceInt(b, pos);
      if (i1 === INT64_MIN && i2 === -1n) throw evalError('overflow in integer division', pos);
      return i1 / i2;
    },
  },
  {
    name: '__lessThan',
    arity: 2,
    fn: (args, _ctx, pos) => {
      force(args[0], pos);
      force(args[1], pos);
      return lessThan(args[0], args[1]);
    },
  },

  { name: '__typeOf', arity: 1, fn: (args, _ctx, pos) => typeOf(force(args[0], pos)) },
  typePredicate('isNull', (v) => v === null),
  typePredicate('__isInt', (v) => typeof v === 'bigint'),
  typePredicate('__isFloat', (v) => typeof v === 'number'),
  typePredicate('__isBool', (v) => typeof v === 'boolean'),
  typePredicate('__isString', (v) => typeof v === 'string' || isKind(v, K_STRING)),
  typePredicate('__isPath', (v) => isKind(v, K_PATH)),
  typePredicate('__isList', (v) => Array.isArray(v)),
  typePredicate('__isAttrs', (v) => isKind(v, K_ATTRS)),
  typePredicate('__isFunction', (v) => isKind(v, K_LAMBDA) || isKind(v, K_PRIMOP) || isKind(v, K_PRIMOP_APP)),

  {
    name: 'toString',
    arity: 1,
    fn: (args, _ctx, pos) => {
      // Integers and plain strings (most calls) need no context set.
      const v = force(args[0], pos);
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'string') return v;
      const ctx = new Set<string>();
      const s = coerceToString(v, pos, ctx, true, false);
      return mkString(s, ctx);
    },
  },
  {
    name: 'throw',
    arity: 1,
    fn: (args, _ctx, pos) => {
      const s = coerceToString(args[0], pos, new Set(), false, true);
      throw new MError('THROWN', s, { pos });
    },
  },
  {
    name: 'abort',
    arity: 1,
    fn: (args, _ctx, pos) => {
      const s = coerceToString(args[0], pos, new Set(), false, true);
      throw new MError('ABORTED', `evaluation aborted with the following error message: '${s}'`, { pos });
    },
  },
  {
    name: '__seq',
    arity: 2,
    fn: (args, _ctx, pos) => {
      force(args[0], pos);
      return force(args[1], pos);
    },
  },
  {
    name: '__deepSeq',
    arity: 2,
    fn: (args, _ctx, pos) => {
      forceDeep(args[0], pos);
      return force(args[1], pos);
    },
  },
  {
    name: '__tryEval',
    arity: 1,
    fn: (args, _ctx, pos) => {
      try {
        const v = force(args[0], pos);
        return mkAttrs(new Map<string, Lazy>([['value', v], ['success', true]]));
      } catch (err) {
        if (isMError(err) && (err.code === 'ASSERTION_FAILED' || err.code === 'THROWN')) {
          return mkAttrs(new Map<string, Lazy>([['value', false], ['success', false]]));
        }
        throw err;
      }
    },
  },
  {
    name: '__trace',
    arity: 2,
    fn: (args, ctx, pos) => {
      const v = force(args[0], pos);
      ctx.trace(typeof v === 'string' ? v : isKind(v, K_STRING) ? (v as { s: string }).s : printValue(v));
      return force(args[1], pos);
    },
  },
  {
    name: '__getEnv',
    arity: 1,
    fn: (args, ctx, pos) => {
      const name = forceStringNoCtx(args[0], pos);
      return ctx.pureEval ? '' : (ctx.io.getEnv(name) ?? '');
    },
  },
];
