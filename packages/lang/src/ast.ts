/**
 * The Nix abstract syntax tree, as produced by `parse()` and consumed by the evaluator.
 *
 * The tree mirrors Nix 2.8's own (src/libexpr/nixexpr.hh) so that `--parse` output, error
 * messages and evaluation order match it:
 *  - `a - b`, `a * b`, `a / b`, `a < b` (and `>`, `<=`, `>=`), unary `-a` are desugared into calls
 *    of the builtins `__sub`, `__mul`, `__div`, `__lessThan` (with `!`/swapped operands), exactly
 *    as Nix's parser does; `a + b` is a non-forcing `concatStrings` node; `<p>` is
 *    `__findFile __nixPath "p"`.
 *  - Nested attribute paths (`a.b.c = 1;`) are merged at parse time into nested non-rec attribute sets.
 *  - Function application is flattened: `f a b` is one `call` with two arguments.
 *
 * Scope contract (filled in by `bindVars` after parsing; the evaluator relies on it):
 *  - An environment is `{ up, vals }`; a variable is found `level` environments up at index `displ`.
 *  - Nodes that create an environment, and the layout of its `vals`:
 *      lambda:       [arg] when `arg` is set, then one slot per formal in `formals` order;
 *      let:          one slot per `attrs.attrs` entry, in array order (`displ` of each AttrDef);
 *      rec attrs:    the same as let;
 *      with:         one slot holding the (thunk of the) attribute set expression.
 *  - The outermost environment is the base environment whose layout is given by the
 *    `StaticScope` passed to `bindVars` (builtins, `true`, `null`, `__nixPath`, …).
 *  - A variable not bound statically but enclosed by a `with` has `fromWith` set: `level` is the
 *    distance to the innermost enclosing `with` environment; each `with` node's `prevWith` is the
 *    distance from its own environment to the next enclosing `with` environment (0: none).
 *    Lookup tries the innermost `with` first, then outer ones.
 *  - Values of `inherit x;` entries (`inherited: true`) are evaluated in the environment that
 *    encloses the let/rec attrs, never in the recursive one.
 */
import type { SourcePos } from '@m/core';

export type Pos = SourcePos;

export type Expr =
  | ExprInt
  | ExprFloat
  | ExprString
  | ExprPath
  | ExprVar
  | ExprSelect
  | ExprHasAttr
  | ExprAttrs
  | ExprList
  | ExprLambda
  | ExprCall
  | ExprLet
  | ExprWith
  | ExprIf
  | ExprAssert
  | ExprNot
  | ExprBinary
  | ExprConcatStrings
  | ExprCurPos;

export interface ExprInt {
  kind: 'int';
  /** 64-bit signed integer. */
  value: bigint;
}

export interface ExprFloat {
  kind: 'float';
  value: number;
}

/** A string literal without interpolation (escapes already processed). */
export interface ExprString {
  kind: 'string';
  value: string;
}

/** A path literal, already made absolute and canonical (relative to the file's directory, `~` expanded). */
export interface ExprPath {
  kind: 'path';
  value: string;
}

export interface ExprVar {
  kind: 'var';
  name: string;
  pos: Pos;
  /** Set by bindVars. See the scope contract above. */
  fromWith: boolean;
  level: number;
  displ: number;
}

/** One element of an attribute path: a static name or an interpolated (dynamic) one. */
export type AttrName = { name: string; expr?: undefined } | { name?: undefined; expr: Expr };

export interface ExprSelect {
  kind: 'select';
  e: Expr;
  attrPath: AttrName[];
  /** The `or` default. */
  def?: Expr;
  pos: Pos;
}

export interface ExprHasAttr {
  kind: 'hasAttr';
  e: Expr;
  attrPath: AttrName[];
}

export interface AttrDef {
  name: string;
  /** True for `inherit name;` (see the scope contract). */
  inherited: boolean;
  e: Expr;
  pos: Pos;
  /** Index of this attribute in the environment of a rec set / let (set by bindVars). */
  displ: number;
}

export interface DynamicAttrDef {
  nameExpr: Expr;
  valueExpr: Expr;
  pos: Pos;
}

export interface ExprAttrs {
  kind: 'attrs';
  rec: boolean;
  /** Static attributes in source order of first definition. Names are unique. */
  attrs: AttrDef[];
  /** `"${e}" = v;` entries; evaluated when the set is created (in the rec env for rec sets). */
  dynamicAttrs: DynamicAttrDef[];
  pos: Pos;
}

export interface ExprList {
  kind: 'list';
  elems: Expr[];
}

export interface Formal {
  name: string;
  def?: Expr;
  pos: Pos;
}

export interface ExprLambda {
  kind: 'lambda';
  /** `x:` or the `@x` of a pattern. */
  arg?: string;
  /** Present for `{ a, b ? d, ... }:` patterns. */
  formals?: { formals: Formal[]; ellipsis: boolean };
  body: Expr;
  /** Name of the attribute the lambda was bound to, if any (for messages), like Nix's setName. */
  name?: string;
  pos: Pos;
}

export interface ExprCall {
  kind: 'call';
  fun: Expr;
  args: Expr[];
  pos: Pos;
}

export interface ExprLet {
  kind: 'let';
  /** Always recursive; `rec` is true. */
  attrs: ExprAttrs;
  body: Expr;
}

export interface ExprWith {
  kind: 'with';
  attrs: Expr;
  body: Expr;
  /** Set by bindVars: distance to the next enclosing `with` environment, 0 when none. */
  prevWith: number;
  pos: Pos;
}

export interface ExprIf {
  kind: 'if';
  cond: Expr;
  then: Expr;
  else: Expr;
  pos: Pos;
}

export interface ExprAssert {
  kind: 'assert';
  cond: Expr;
  body: Expr;
  pos: Pos;
}

export interface ExprNot {
  kind: 'not';
  e: Expr;
}

export type BinaryOp = '==' | '!=' | '&&' | '||' | '->' | '//' | '++';

export interface ExprBinary {
  kind: 'binary';
  op: BinaryOp;
  e1: Expr;
  e2: Expr;
  pos: Pos;
}

/**
 * String concatenation: interpolated strings (`forceString: true`) and the `+` operator
 * (`forceString: false`, two operands, which also adds numbers and paths).
 */
export interface ExprConcatStrings {
  kind: 'concatStrings';
  forceString: boolean;
  es: Expr[];
  /**
   * Where each element of `es` starts (same length): the operands of `+`, the text pieces and
   * `${` of interpolations. Errors about one element (`1 + "a"`, `"${{}}"`) point there, as in Nix.
   * Absent on synthesized nodes; `pos` stands in then.
   */
  esPos?: Pos[];
  pos: Pos;
}

/** `__curPos`. */
export interface ExprCurPos {
  kind: 'curPos';
  pos: Pos;
}

/** Names bound in the base environment, in slot order; the evaluator builds the matching Env. */
export interface StaticScope {
  names: string[];
}
