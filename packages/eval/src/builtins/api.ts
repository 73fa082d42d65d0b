/**
 * The API for writing builtins (see packages/eval/BUILTINS-API.md).
 *
 * A builtin group is a module exporting `BuiltinDef[]`; builtins/index.ts lists the groups.
 * `name` is spelled as Nix registers it: `__foo` is global `__foo` and `builtins.foo`;
 * a name without `__` (e.g. `map`, `toString`) is both a plain global and `builtins.<name>`.
 */
import type { Pos } from '@m/lang';
import type { EvalState } from '../state';
import type { Lazy, Value } from '../value';

export interface BuiltinFunction {
  name: string;
  /** Number of arguments; `fn` is called once all have been supplied (partial application is automatic). */
  arity: number;
  /** Arguments are unforced (`Lazy`); force them with the helpers. `pos` is the call site. */
  fn: (args: Lazy[], ctx: EvalState, pos: Pos | undefined) => Value;
}

export interface BuiltinConstant {
  name: string;
  /** Computed once per evaluator. */
  value: (ctx: EvalState) => Value;
  /** Left out in pure evaluation mode (like `__currentTime`). */
  impure?: boolean;
}

export type BuiltinDef = BuiltinFunction | BuiltinConstant;

export function isBuiltinFunction(d: BuiltinDef): d is BuiltinFunction {
  return (d as BuiltinFunction).fn !== undefined;
}

export {
  force,
  forceAttrs,
  forceList,
  forceInt,
  forceFloat,
  forceBool,
  forceFunction,
  forceString,
  forceStringCtx,
  forceStringNoCtx,
  forceStringValue,
  forceDeep,
  callFunction,
  callFunction1,
  concatLists,
  updateAttrs,
  attrPos,
  mkPosValue,
  maybeThunk,
  mkThunk,
  evalExpr,
} from '../eval';
export { coerceToString, coerceToPath, canonPath } from '../coerce';
export { eqValues, lessThan, isDerivation } from '../equal';
export { printValue, printString } from '../print';
export { evalError, typeError, expectedError, error, showPos, suggestionHint } from '../errors';
export {
  mkAttrs,
  mkPath,
  mkString,
  mkInt,
  mkLazy,
  attrsFromObject,
  emptyAttrs,
  isAttrs,
  isList,
  isString,
  isPath,
  isFunction,
  isLambda,
  isThunk,
  strOf,
  ctxOf,
  showType,
  typeOf,
  EMPTY_CTX,
} from '../value';
export type { Lazy, Value, NixAttrs, NixList, NixPath, NixStringCtx, NixLambda, PrimOp, PrimOpApp, Env } from '../value';
export type { EvalState } from '../state';
