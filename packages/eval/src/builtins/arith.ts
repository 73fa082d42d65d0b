/** Integer bit operations and float rounding: bitAnd, bitOr, bitXor, ceil, floor. */
import { forceFloat, forceInt, type BuiltinDef } from './api';

const INT64_MIN = -(1n << 63n);
const TWO_63 = 2 ** 63;

/**
 * A rounded double as Nix's NixInt conversion yields it on x86-64: values outside the int64
 * range (and NaN) become INT64_MIN (the "integer indefinite" of cvttsd2si).
 */
function doubleToInt(x: number): bigint {
  if (Number.isNaN(x) || x >= TWO_63 || x < -TWO_63) return INT64_MIN;
  return BigInt(x);
}

function bitOp(name: string, op: (a: bigint, b: bigint) => bigint): BuiltinDef {
  return {
    name,
    arity: 2,
    fn: (args, _c, pos) => {
      const a = forceInt(args[0], pos);
      const b = forceInt(args[1], pos);
      return BigInt.asIntN(64, op(a, b));
    },
  };
}

export const arithBuiltins: BuiltinDef[] = [
  bitOp('__bitAnd', (a, b) => a & b),
  bitOp('__bitOr', (a, b) => a | b),
  bitOp('__bitXor', (a, b) => a ^ b),
  { name: '__ceil', arity: 1, fn: (args, _c, pos) => doubleToInt(Math.ceil(forceFloat(args[0], pos))) },
  { name: '__floor', arity: 1, fn: (args, _c, pos) => doubleToInt(Math.floor(forceFloat(args[0], pos))) },
];
