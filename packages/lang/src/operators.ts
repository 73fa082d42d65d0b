/**
 * Resolves a flat operator chain (prefix operators, operands, binary operators, `? attrpath`)
 * by Nix's precedence table and desugars it as parser.y does: `-`, `*`, `/` and comparisons become
 * calls of `__sub`, `__mul`, `__div`, `__lessThan`; `+` becomes a non-forcing concatStrings.
 */
import type { IToken, TokenType } from 'chevrotain';
import { MError } from '@m/core';
import * as T from './tokens';
import type { AttrName, Expr } from './ast';
import type { ParseContext } from './context';

export type OpItem =
  | { kind: 'prefix'; token: IToken }
  | { kind: 'operand'; e: Expr; start: number }
  | { kind: 'binary'; token: IToken }
  | { kind: 'hasAttr'; token: IToken; path: AttrName[] };

type Assoc = 'left' | 'right' | 'none';

const PREC_NOT = 7;
const PREC_HAS_ATTR = 11;

const table = new Map<TokenType, [number, Assoc]>([
  [T.Impl, [1, 'right']],
  [T.OrOp, [2, 'left']],
  [T.And, [3, 'left']],
  [T.Eq, [4, 'none']],
  [T.Neq, [4, 'none']],
  [T.Lt, [5, 'none']],
  [T.Gt, [5, 'none']],
  [T.Leq, [5, 'none']],
  [T.Geq, [5, 'none']],
  [T.Update, [6, 'right']],
  [T.Plus, [8, 'left']],
  [T.Minus, [8, 'left']],
  [T.Star, [9, 'left']],
  [T.Slash, [9, 'left']],
  [T.Concat, [10, 'right']],
]);

function precOf(item: OpItem): number {
  return item.kind === 'hasAttr' ? PREC_HAS_ATTR : item.kind === 'binary' ? table.get(item.token.tokenType)![0] : -1;
}

interface Located {
  e: Expr;
  start: number;
}

function builtin(ctx: ParseContext, name: string, args: Expr[], start: number): Expr {
  return {
    kind: 'call',
    fun: { kind: 'var', name, pos: { file: ctx.file, line: 0, column: 0 }, fromWith: false, level: 0, displ: 0 },
    args,
    pos: ctx.positions.at(start),
  };
}

function not(e: Expr): Expr {
  return { kind: 'not', e };
}

/** `a t b` as Nix's parser builds it; `start`, `bStart`: offsets of `a` and `b`. */
export function binaryExpr(ctx: ParseContext, t: TokenType, a: Expr, b: Expr, start: number, bStart: number): Expr {
  const pos = ctx.positions.at(start);
  switch (t) {
    case T.Eq: return { kind: 'binary', op: '==', e1: a, e2: b, pos };
    case T.Neq: return { kind: 'binary', op: '!=', e1: a, e2: b, pos };
    case T.And: return { kind: 'binary', op: '&&', e1: a, e2: b, pos };
    case T.OrOp: return { kind: 'binary', op: '||', e1: a, e2: b, pos };
    case T.Impl: return { kind: 'binary', op: '->', e1: a, e2: b, pos };
    case T.Update: return { kind: 'binary', op: '//', e1: a, e2: b, pos };
    case T.Concat: return { kind: 'binary', op: '++', e1: a, e2: b, pos };
    case T.Lt: return builtin(ctx, '__lessThan', [a, b], start);
    case T.Gt: return builtin(ctx, '__lessThan', [b, a], start);
    case T.Leq: return not(builtin(ctx, '__lessThan', [b, a], start));
    case T.Geq: return not(builtin(ctx, '__lessThan', [a, b], start));
    case T.Plus:
      return { kind: 'concatStrings', forceString: false, es: [a, b], esPos: [pos, ctx.positions.at(bStart)], pos };
    case T.Minus: return builtin(ctx, '__sub', [a, b], start);
    case T.Star: return builtin(ctx, '__mul', [a, b], start);
    case T.Slash: return builtin(ctx, '__div', [a, b], start);
  }
  throw new Error(`unknown operator ${t.name}`);
}

export function resolveOperators(items: OpItem[], ctx: ParseContext): Expr {
  let i = 0;

  const nonAssocError = (item: OpItem): never => {
    const t = (item as { token: IToken }).token;
    throw new MError('PARSE_ERROR', `syntax error, unexpected ${T.bisonName(t.tokenType)}`, {
      pos: ctx.positions.at(t.startOffset),
    });
  };

  const unary = (): Located => {
    const item = items[i++]!;
    if (item.kind === 'operand') return { e: item.e, start: item.start };
    if (item.kind !== 'prefix') throw new Error('operator chain out of order');
    const start = item.token.startOffset;
    if (item.token.tokenType === T.Not) return { e: not(chain(PREC_NOT + 1).e), start };
    return { e: builtin(ctx, '__sub', [{ kind: 'int', value: 0n }, unary().e], start), start };
  };

  const chain = (minPrec: number): Located => {
    let left = unary();
    while (i < items.length) {
      const item = items[i]!;
      const p = precOf(item);
      if (p < minPrec) break;
      i++;
      if (item.kind === 'hasAttr') {
        // `a ? b ? c` is accepted by Nix's parser (as `(a ? b) ? c`): no conflict arises there.
        left = { e: { kind: 'hasAttr', e: left.e, attrPath: item.path }, start: left.start };
        continue;
      }
      const t = (item as { token: IToken }).token.tokenType;
      const assoc = table.get(t)![1];
      const right = chain(assoc === 'right' ? p : p + 1);
      left = { e: binaryExpr(ctx, t, left.e, right.e, left.start, right.start), start: left.start };
      if (assoc === 'none' && i < items.length && precOf(items[i]!) === p) nonAssocError(items[i]!);
    }
    return left;
  };

  return chain(0).e;
}
