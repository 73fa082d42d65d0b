/** Hand-built ASTs (with explicit level/displ) for testing the evaluator without the parser. */
import type { Expr, ExprAttrs, ExprLambda, ExprVar, Pos, StaticScope } from '@m/lang';

export const P = (line = 1, column = 1): Pos => ({ file: '«string»', line, column });

export const int = (n: number | bigint): Expr => ({ kind: 'int', value: BigInt(n) });
export const flt = (n: number): Expr => ({ kind: 'float', value: n });
export const str = (s: string): Expr => ({ kind: 'string', value: s });
export const v = (name: string, level: number, displ: number, pos = P()): ExprVar => ({
  kind: 'var', name, pos, fromWith: false, level, displ,
});
export const wv = (name: string, level: number, pos = P()): ExprVar => ({
  kind: 'var', name, pos, fromWith: true, level, displ: 0,
});
/** A base-scope variable seen from `depth` environments deep. */
export const g = (scope: StaticScope, name: string, depth: number, pos = P()): ExprVar => {
  const displ = scope.names.indexOf(name);
  if (displ < 0) throw new Error(`not in base scope: ${name}`);
  return v(name, depth, displ, pos);
};
export const call = (fun: Expr, ...args: Expr[]): Expr => ({ kind: 'call', fun, args, pos: P() });
export const callAt = (pos: Pos, fun: Expr, ...args: Expr[]): Expr => ({ kind: 'call', fun, args, pos });
export const lam = (arg: string, body: Expr, name?: string, pos = P()): ExprLambda => ({ kind: 'lambda', arg, body, name, pos });
export const lamF = (
  formals: { name: string; def?: Expr }[], ellipsis: boolean, body: Expr, arg?: string, name?: string, pos = P(),
): ExprLambda => ({
  kind: 'lambda', arg, formals: { formals: formals.map((f) => ({ ...f, pos: P() })), ellipsis }, body, name, pos,
});
export const attrs = (defs: [string, Expr][], rec = false, inherited: string[] = []): ExprAttrs => ({
  kind: 'attrs', rec, pos: P(),
  attrs: defs.map(([name, e], displ) => ({ name, e, inherited: inherited.includes(name), pos: P(1, displ + 1), displ })),
  dynamicAttrs: [],
});
export const let_ = (defs: [string, Expr][], body: Expr): Expr => ({ kind: 'let', attrs: attrs(defs, true), body });
export const sel = (e: Expr, path: string[], def?: Expr, pos = P()): Expr => ({
  kind: 'select', e, attrPath: path.map((name) => ({ name })), def, pos,
});
export const has = (e: Expr, path: string[]): Expr => ({ kind: 'hasAttr', e, attrPath: path.map((name) => ({ name })) });
export const bin = (op: '==' | '!=' | '&&' | '||' | '->' | '//' | '++', e1: Expr, e2: Expr): Expr => ({ kind: 'binary', op, e1, e2, pos: P() });
export const plus = (e1: Expr, e2: Expr, pos = P()): Expr => ({ kind: 'concatStrings', forceString: false, es: [e1, e2], pos });
export const interp = (...es: Expr[]): Expr => ({ kind: 'concatStrings', forceString: true, es, pos: P() });
export const if_ = (cond: Expr, then: Expr, els: Expr): Expr => ({ kind: 'if', cond, then, else: els, pos: P() });
export const list = (...elems: Expr[]): Expr => ({ kind: 'list', elems });
export const with_ = (a: Expr, body: Expr, prevWith = 0): Expr => ({ kind: 'with', attrs: a, body, prevWith, pos: P() });
export const assert_ = (cond: Expr, body: Expr): Expr => ({ kind: 'assert', cond, body, pos: P() });
export const not = (e: Expr): Expr => ({ kind: 'not', e });
export const path = (p: string): Expr => ({ kind: 'path', value: p });
