/**
 * Parse-time construction of attribute sets and lambda formals with Nix's checks: nested
 * attribute paths are merged into nested sets (addAttr in parser.y), duplicates are errors,
 * lambdas bound to an attribute get its name.
 */
import { MError } from '@m/core';
import type { AttrDef, AttrName, Expr, ExprAttrs, Formal, Pos } from './ast';
import type { ParseContext } from './context';
import type { RankedFormal } from './parser';
import { showAttrPath, showId } from './show';
import { attrRank } from './symbols';

/** How Nix prints a position inside a message. */
export function showPos(pos: Pos): string {
  if (pos.line === 0) return 'undefined position';
  const file = pos.file === '«string»' || pos.file === '«stdin»' ? '(string)' : pos.file;
  return `${file}:${pos.line}:${pos.column}`;
}

/** Records the symbol rank of a `let`'s bindings (Nix prints and visits them in that order). */
export function rankLetBindings(ctx: ParseContext, attrs: ExprAttrs): void {
  for (const a of attrs.attrs) attrRank.set(a, ctx.symbols.intern(a.name));
}

export function newAttrs(pos: Pos): ExprAttrs {
  return { kind: 'attrs', rec: false, attrs: [], dynamicAttrs: [], pos };
}

/** Sets of at most this many attributes are searched linearly; larger ones get a name index. */
const LINEAR = 12;

/** The definition of `name` in `attrs`, if any. */
function lookup(ctx: ParseContext, attrs: ExprAttrs, name: string): AttrDef | undefined {
  const list = attrs.attrs;
  let m = ctx.attrIndex.get(attrs);
  if (m === undefined) {
    if (list.length <= LINEAR) {
      for (const a of list) if (a.name === name) return a;
      return undefined;
    }
    m = new Map(list.map((a) => [a.name, a]));
    ctx.attrIndex.set(attrs, m);
  }
  return m.get(name);
}

/** Appends `def` to `attrs` (whose names it does not repeat). */
function append(ctx: ParseContext, attrs: ExprAttrs, def: AttrDef): void {
  attrs.attrs.push(def);
  ctx.attrIndex.get(attrs)?.set(def.name, def);
}

function define(ctx: ParseContext, attrs: ExprAttrs, name: string, e: Expr, pos: Pos, inherited: boolean): AttrDef {
  const def: AttrDef = { name, inherited, e, pos, displ: 0 };
  append(ctx, attrs, def);
  return def;
}

function duplicate(what: string, pos: Pos, prev: Pos): never {
  throw new MError('DUPLICATE_ATTR', `attribute '${what}' already defined at ${showPos(prev)}`, { pos });
}

/** Names the lambda(s) `e` after the attribute it is bound to (Nix's setName). */
export function setName(e: Expr, name: string): void {
  while (e.kind === 'lambda') {
    e.name = name;
    e = e.body;
  }
}

export function addAttr(ctx: ParseContext, top: ExprAttrs, path: AttrName[], e: Expr, pos: Pos): void {
  let attrs = top;
  for (let k = 0; k + 1 < path.length; k++) {
    const n = path[k]!;
    if (n.name !== undefined) {
      const j = lookup(ctx, attrs, n.name);
      if (j) {
        if (j.inherited || j.e.kind !== 'attrs') duplicate(showAttrPath(path), pos, j.pos);
        attrs = j.e as ExprAttrs;
      } else {
        const nested = newAttrs({ file: ctx.file, line: 0, column: 0 });
        define(ctx, attrs, n.name, nested, pos, false);
        attrs = nested;
      }
    } else {
      const nested = newAttrs({ file: ctx.file, line: 0, column: 0 });
      attrs.dynamicAttrs.push({ nameExpr: n.expr, valueExpr: nested, pos });
      attrs = nested;
    }
  }
  const last = path[path.length - 1]!;
  if (last.name === undefined) {
    attrs.dynamicAttrs.push({ nameExpr: last.expr, valueExpr: e, pos });
    return;
  }
  const j = lookup(ctx, attrs, last.name);
  if (!j) {
    define(ctx, attrs, last.name, e, pos, false);
    setName(e, last.name);
    return;
  }
  if (e.kind === 'attrs' && j.e.kind === 'attrs') {
    const target = j.e;
    for (const ad of e.attrs) {
      const j2 = lookup(ctx, target, ad.name);
      if (j2) duplicate(showId(ad.name), j2.pos, ad.pos);
      append(ctx, target, ad);
    }
    return;
  }
  duplicate(showAttrPath(path), pos, j.pos);
}

/** `inherit a b;` — `pos` is where Nix locates the names, `varPos` the variables' position. */
export function addInherited(ctx: ParseContext, attrs: ExprAttrs, names: string[], pos: Pos, varPos: Pos): void {
  for (const name of names) {
    const prev = lookup(ctx, attrs, name);
    if (prev) duplicate(showId(name), pos, prev.pos);
    define(ctx, attrs, name, { kind: 'var', name, pos: varPos, fromWith: false, level: 0, displ: 0 }, pos, true);
  }
}

/** `inherit (from) a b;`, desugared to `a = from.a;` (sharing `from`). */
export function addInheritedFrom(
  ctx: ParseContext, attrs: ExprAttrs, from: Expr, names: string[], pos: Pos, selectPos: Pos,
): void {
  for (const name of names) {
    const prev = lookup(ctx, attrs, name);
    if (prev) duplicate(showId(name), pos, prev.pos);
    define(ctx, attrs, name, { kind: 'select', e: from, attrPath: [{ name }], pos: selectPos }, pos, false);
  }
}

/**
 * Orders formals as Nix does (by symbol, then position) and rejects duplicates, including an
 * `@` name that is also a formal (reported at the lambda's position).
 */
export function checkFormals(list: RankedFormal[], arg: string | undefined, lambdaPos: Pos): Formal[] {
  const sorted = list.slice().sort((a, b) => a.rank - b.rank || a.offset - b.offset);
  for (let k = 0; k + 1 < sorted.length; k++) {
    if (sorted[k]!.name === sorted[k + 1]!.name)
      throw new MError('PARSE_ERROR', `duplicate formal function argument '${showId(sorted[k]!.name)}'`, {
        pos: sorted[k + 1]!.pos,
      });
  }
  if (arg !== undefined && sorted.some((f) => f.name === arg))
    throw new MError('PARSE_ERROR', `duplicate formal function argument '${showId(arg)}'`, { pos: lambdaPos });
  return sorted.map((f) => (f.def === undefined ? { name: f.name, pos: f.pos } : { name: f.name, def: f.def, pos: f.pos }));
}
