/**
 * A hand-written recursive-descent parser for the grammar of parser.ts, reading the lexer's
 * parallel arrays (no token objects, no chevrotain machinery). It is the fast path for input
 * that parses: for such input it builds the same AST as the chevrotain parser with the same
 * actions in the same order (symbols are interned in the same order), which
 * test/fast-parser.test.ts checks on every corpus. It does not report errors: at the first token
 * it cannot use, any parse-time error (duplicate attribute, invalid integer, …) or nesting beyond
 * MAX_NESTING it gives up, and `parse()` runs the chevrotain parser, which reports the error.
 */
import type { IToken, TokenType } from 'chevrotain';
import type { AttrName, Expr, ExprAttrs, ExprLambda, Pos } from './ast';
import type { ParseContext } from './context';
import type { Lexed } from './lexer';
import type { FormalsResult, RankedFormal } from './parser';
import { MAX_NESTING, noPos } from './parser';
import * as T from './tokens';
import { binaryExpr, resolveOperators, type OpItem } from './operators';
import { unescapeStr, stripIndentation, type IndPart } from './strings';
import { absPath } from './paths';
import { addAttr, addInherited, addInheritedFrom, checkFormals, newAttrs, rankLetBindings } from './attrs';

const idx = (t: { tokenTypeIdx?: number }): number => t.tokenTypeIdx!;
const ID = idx(T.Id);
const INT = idx(T.Int);
const FLOAT = idx(T.Float);
const PATH = idx(T.Path);
const HPATH = idx(T.HPath);
const SPATH = idx(T.SPath);
const URI = idx(T.Uri);
const IF = idx(T.If);
const THEN = idx(T.Then);
const ELSE = idx(T.Else);
const ASSERT = idx(T.Assert);
const WITH = idx(T.With);
const LET = idx(T.Let);
const IN = idx(T.In);
const REC = idx(T.Rec);
const INHERIT = idx(T.Inherit);
const OR_KW = idx(T.OrKw);
const ELLIPSIS = idx(T.Ellipsis);
const DOLLAR_CURLY = idx(T.DollarCurly);
const LCURLY = idx(T.LCurly);
const RCURLY = idx(T.RCurly);
const QUOTE = idx(T.Quote);
const STRING_END = idx(T.StringEnd);
const IND_OPEN = idx(T.IndOpen);
const IND_CLOSE = idx(T.IndClose);
const LPAREN = idx(T.LParen);
const RPAREN = idx(T.RParen);
const LBRACKET = idx(T.LBracket);
const RBRACKET = idx(T.RBracket);
const SEMI = idx(T.Semi);
const COLON = idx(T.Colon);
const COMMA = idx(T.Comma);
const AT = idx(T.At);
const QUESTION = idx(T.Question);
const DOT = idx(T.Dot);
const ASSIGN = idx(T.Assign);
const NOT = idx(T.Not);
const MINUS = idx(T.Minus);
const STR = idx(T.Str);
const IND_TEXT = idx(T.IndText);
const IND_ESC_DOLLAR = idx(T.IndEscDollar);
const IND_ESC_QUOTES = idx(T.IndEscQuotes);
const IND_ESC_ANY = idx(T.IndEscAny);
const IND_DOLLAR = idx(T.IndDollar);
const IND_QUOTE = idx(T.IndQuote);
const PATH_STR = idx(T.PathStr);
const PATH_END = idx(T.PathEnd);

/** Token classes by type index. */
const BINARY = 1;
const SIMPLE_START = 2; // first tokens of exprSelect / exprSimple
const ATTR_START = 4; // first tokens of attrpath
const cls = new Uint8Array(256);
const typeByIdx: TokenType[] = [];
for (const t of T.allTokens) typeByIdx[t.tokenTypeIdx!] = t;
for (const t of [T.Eq, T.Neq, T.Leq, T.Geq, T.And, T.OrOp, T.Impl, T.Update, T.Concat, T.Lt, T.Gt, T.Plus, T.Minus, T.Star, T.Slash])
  cls[t.tokenTypeIdx!]! |= BINARY;
for (const t of [T.Id, T.Int, T.Float, T.Quote, T.IndOpen, T.Path, T.HPath, T.SPath, T.Uri, T.LParen, T.Let, T.Rec, T.LCurly, T.LBracket])
  cls[t.tokenTypeIdx!]! |= SIMPLE_START;
for (const t of [T.Id, T.OrKw, T.Quote, T.DollarCurly]) cls[t.tokenTypeIdx!]! |= ATTR_START;

/** Thrown to abandon the fast path. */
const giveUp = new Error('fast parser: not handled');

// The state of the one parse in progress (parsing is synchronous and does not nest).
let text = '';
let count = 0;
let kinds: Uint8Array = new Uint8Array(0);
let starts: Int32Array = new Int32Array(0);
let ends: Int32Array = new Int32Array(0);
let p = 0;
let nesting = 0;
let ctx: ParseContext;

function fail(): never {
  throw giveUp;
}

/** Type index of token `i` (0 past the end). */
function kind(i: number): number {
  return i < count ? kinds[i]! : 0;
}

function image(i: number): string {
  return text.slice(starts[i]!, ends[i]!);
}

/** Consumes a token of type index `k` and returns its index. */
function expect(k: number): number {
  if (p >= count || kinds[p] !== k) fail();
  return p++;
}

function pos(offset: number): Pos {
  return ctx.positions.at(offset);
}

function mkVar(name: string, at: Pos): Expr {
  return { kind: 'var', name, pos: at, fromWith: false, level: 0, displ: 0 };
}

/** The token object resolveOperators needs for an operator. */
function opToken(i: number): IToken {
  return { tokenType: typeByIdx[kinds[i]!]!, startOffset: starts[i]!, image: image(i) } as IToken;
}

/** Parses the lexed input; undefined when the input needs the chevrotain parser (an error). */
export function parseFast(lexed: Lexed, context: ParseContext): Expr | undefined {
  text = lexed.text;
  count = lexed.count;
  kinds = lexed.kinds;
  starts = lexed.starts;
  ends = lexed.ends;
  p = 0;
  nesting = 0;
  ctx = context;
  try {
    const e = expr();
    return p === count ? e : undefined;
  } catch {
    return undefined;
  } finally {
    text = '';
    kinds = new Uint8Array(0);
    starts = ends = new Int32Array(0);
    ctx = undefined as unknown as ParseContext;
  }
}

function isFormalsAhead(): boolean {
  const t2 = kind(p + 1);
  if (t2 === RCURLY) {
    const t3 = kind(p + 2);
    return t3 === COLON || t3 === AT;
  }
  if (t2 === ELLIPSIS) return true;
  if (t2 === ID) {
    const t3 = kind(p + 2);
    return t3 === COMMA || t3 === QUESTION || t3 === RCURLY;
  }
  return false;
}

function expr(): Expr {
  if (++nesting > MAX_NESTING) fail();
  const k = kind(p);
  let e: Expr;
  if (k === ID && kind(p + 1) === COLON) {
    const id = p;
    p += 2;
    const body = expr();
    const name = image(id);
    ctx.symbols.intern(name);
    e = { kind: 'lambda', arg: name, body, pos: pos(starts[id]!) };
  } else if (k === ID && kind(p + 1) === AT) {
    const id = p;
    p += 2;
    expect(LCURLY);
    const fs = formals();
    expect(RCURLY);
    expect(COLON);
    const body = expr();
    e = lambda(starts[id]!, image(id), fs, body);
  } else if (k === LCURLY && isFormalsAhead()) {
    const open = p++;
    const fs = formals();
    expect(RCURLY);
    let arg: string | undefined;
    if (kind(p) === AT) {
      p++;
      arg = image(expect(ID));
    }
    expect(COLON);
    const body = expr();
    e = lambda(starts[open]!, arg, fs, body);
  } else if (k === ASSERT) {
    const t = p++;
    const cond = expr();
    expect(SEMI);
    const body = expr();
    e = { kind: 'assert', cond, body, pos: pos(starts[t]!) };
  } else if (k === WITH) {
    const t = p++;
    const attrs = expr();
    expect(SEMI);
    const body = expr();
    e = { kind: 'with', attrs, body, prevWith: 0, pos: pos(starts[t]!) };
  } else if (k === LET && kind(p + 1) !== LCURLY) {
    const t = p++;
    const attrs = binds(t);
    expect(IN);
    const body = expr();
    if (attrs.dynamicAttrs.length > 0) fail();
    attrs.rec = true;
    rankLetBindings(ctx, attrs);
    e = { kind: 'let', attrs, body };
  } else if (k === IF) {
    const t = p++;
    const cond = expr();
    expect(THEN);
    const then = expr();
    expect(ELSE);
    const els = expr();
    e = { kind: 'if', cond, then, else: els, pos: pos(starts[t]!) };
  } else e = exprOp();
  nesting--;
  return e;
}

function lambda(start: number, arg: string | undefined, fs: FormalsResult, body: Expr): ExprLambda {
  const at = pos(start);
  if (arg !== undefined) ctx.symbols.intern(arg);
  const sorted = checkFormals(fs.list, arg, at);
  return {
    kind: 'lambda',
    ...(arg !== undefined ? { arg } : {}),
    formals: { formals: sorted, ellipsis: fs.ellipsis },
    body,
    pos: at,
  };
}

function formals(): FormalsResult {
  const list: RankedFormal[] = [];
  for (;;) {
    const k = kind(p);
    if (k === ELLIPSIS) {
      p++;
      return { list, ellipsis: true };
    }
    if (k !== ID) break;
    list.push(formal());
    if (kind(p) !== COMMA) break;
    p++;
  }
  return { list, ellipsis: false };
}

function formal(): RankedFormal {
  const id = p++;
  let def: Expr | undefined;
  if (kind(p) === QUESTION) {
    p++;
    def = expr();
  }
  const name = image(id);
  const rank = ctx.symbols.intern(name);
  const offset = starts[id]!;
  const f: RankedFormal = { name, pos: pos(offset), rank, offset };
  if (def !== undefined) f.def = def;
  return f;
}

function exprOp(): Expr {
  let items: OpItem[] | undefined;
  for (let k = kind(p); k === NOT || k === MINUS; k = kind(p)) (items ??= []).push({ kind: 'prefix', token: opToken(p++) });
  const start = starts[p]!;
  const first = exprApp();
  if (items !== undefined) items.push({ kind: 'operand', e: first, start });
  else {
    const k = kind(p);
    if ((cls[k]! & BINARY) === 0 && k !== QUESTION) return first;
    const k2 = kind(p + 1);
    if ((cls[k]! & BINARY) !== 0 && k2 !== NOT && k2 !== MINUS) {
      // `a op b` alone, the commonest chain, is built directly.
      const op = p++;
      const s = starts[p]!;
      const e = exprApp();
      const k3 = kind(p);
      if ((cls[k3]! & BINARY) === 0 && k3 !== QUESTION) return binaryExpr(ctx, typeByIdx[k]!, first, e, start, s);
      items = [{ kind: 'operand', e: first, start }, { kind: 'binary', token: opToken(op) }, { kind: 'operand', e, start: s }];
    } else items = [{ kind: 'operand', e: first, start }];
  }
  for (;;) {
    const k = kind(p);
    if ((cls[k]! & BINARY) !== 0) {
      items.push({ kind: 'binary', token: opToken(p++) });
      for (let k2 = kind(p); k2 === NOT || k2 === MINUS; k2 = kind(p)) items.push({ kind: 'prefix', token: opToken(p++) });
      const s = starts[p]!;
      const e = exprApp();
      items.push({ kind: 'operand', e, start: s });
    } else if (k === QUESTION) {
      const token = opToken(p++);
      items.push({ kind: 'hasAttr', token, path: attrpath() });
    } else break;
  }
  return resolveOperators(items, ctx);
}

function exprApp(): Expr {
  const start = starts[p]!;
  let e = exprSelect();
  while ((cls[kind(p)]! & SIMPLE_START) !== 0) {
    const arg = exprSelect();
    if (e.kind === 'call') e.args.push(arg);
    else e = { kind: 'call', fun: e, args: [arg], pos: pos(start) };
  }
  return e;
}

function exprSelect(): Expr {
  const start = starts[p]!;
  const e = exprSimple();
  const k = kind(p);
  if (k === DOT) {
    p++;
    const attrPath = attrpath();
    let def: Expr | undefined;
    if (kind(p) === OR_KW) {
      p++;
      def = exprSelect();
    }
    const at = pos(start);
    return def === undefined ? { kind: 'select', e, attrPath, pos: at } : { kind: 'select', e, attrPath, def, pos: at };
  }
  if (k === OR_KW) {
    p++;
    const at = pos(start);
    ctx.symbols.intern('or');
    return { kind: 'call', fun: e, args: [mkVar('or', at)], pos: at };
  }
  return e;
}

function exprSimple(): Expr {
  const t = p;
  const k = kind(p);
  if (k === ID) {
    p++;
    const at = pos(starts[t]!);
    const name = image(t);
    if (name === '__curPos') return { kind: 'curPos', pos: at };
    ctx.symbols.intern(name);
    return mkVar(name, at);
  }
  if (k === LCURLY) {
    p++;
    const attrs = binds(t);
    expect(RCURLY);
    return attrs;
  }
  if (k === QUOTE) {
    p++;
    const e = stringParts();
    expect(STRING_END);
    return e;
  }
  if (k === LBRACKET) {
    p++;
    const elems: Expr[] = [];
    while ((cls[kind(p)]! & SIMPLE_START) !== 0) elems.push(exprSelect());
    expect(RBRACKET);
    return { kind: 'list', elems };
  }
  if (k === LPAREN) {
    p++;
    const e = expr();
    expect(RPAREN);
    return e;
  }
  if (k === INT) {
    p++;
    const s = image(t);
    const value = BigInt(s);
    if (value > 9223372036854775807n) fail();
    return { kind: 'int', value };
  }
  if (k === FLOAT) {
    p++;
    const s = image(t);
    const value = Number(s);
    if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(s.replace(/[eE].*$/, '')))) fail();
    return { kind: 'float', value };
  }
  if (k === IND_OPEN) {
    p++;
    const parts = indStringParts();
    expect(IND_CLOSE);
    return stripIndentation(parts, pos(starts[t]!));
  }
  if (k === PATH || k === HPATH) return path();
  if (k === SPATH) {
    p++;
    const np = noPos(ctx.file);
    return {
      kind: 'call',
      fun: mkVar('__findFile', np),
      args: [mkVar('__nixPath', np), { kind: 'string', value: image(t).slice(1, -1) }],
      pos: pos(starts[t]!),
    };
  }
  if (k === URI) {
    p++;
    return { kind: 'string', value: image(t) };
  }
  if (k === LET) {
    p++;
    const open = expect(LCURLY);
    const attrs = binds(open);
    expect(RCURLY);
    attrs.rec = true;
    ctx.symbols.intern('body');
    return { kind: 'select', e: attrs, attrPath: [{ name: 'body' }], pos: noPos(ctx.file) };
  }
  if (k === REC) {
    p++;
    const open = expect(LCURLY);
    const attrs = binds(open);
    expect(RCURLY);
    attrs.rec = true;
    return attrs;
  }
  return fail();
}

/** The inside of "…": a plain string, or an interpolation (ConcatStrings with forceString). */
function stringParts(): Expr {
  // The commonest strings: "" and one piece of text.
  const k0 = kind(p);
  if (k0 === STRING_END) return { kind: 'string', value: '' };
  if (k0 === STR && kind(p + 1) === STRING_END) return { kind: 'string', value: unescapeStr(image(p++)) };
  const parts: Expr[] = [];
  const offsets: number[] = [];
  let interpolated = false;
  for (;;) {
    const k = kind(p);
    if (k === STR) {
      offsets.push(starts[p]!);
      parts.push({ kind: 'string', value: unescapeStr(image(p++)) });
    } else if (k === DOLLAR_CURLY) {
      const t = p++;
      const e = expr();
      expect(RCURLY);
      offsets.push(starts[t]!);
      interpolated = true;
      parts.push(e);
    } else break;
  }
  if (parts.length === 0) return { kind: 'string', value: '' };
  if (!interpolated && parts.length === 1) return parts[0]!;
  const esPos = offsets.map(pos);
  return { kind: 'concatStrings', forceString: true, es: parts, esPos, pos: esPos[0]! };
}

function indStringParts(): IndPart[] {
  const parts: IndPart[] = [];
  for (;;) {
    const k = kind(p);
    const at = starts[p]!;
    if (k === IND_TEXT) parts.push({ text: image(p++), indent: true, pos: pos(at) });
    else if (k === IND_ESC_DOLLAR || k === IND_DOLLAR) {
      p++;
      parts.push({ text: '$', indent: false, pos: pos(at) });
    } else if (k === IND_ESC_QUOTES) {
      p++;
      parts.push({ text: "''", indent: false, pos: pos(at) });
    } else if (k === IND_ESC_ANY) parts.push({ text: unescapeStr(image(p++).slice(2)), indent: false, pos: pos(at) });
    else if (k === IND_QUOTE) {
      p++;
      parts.push({ text: "'", indent: false, pos: pos(at) });
    } else if (k === DOLLAR_CURLY) {
      p++;
      const e = expr();
      expect(RCURLY);
      parts.push({ e, pos: pos(at) });
    } else return parts;
  }
}

function path(): Expr {
  const head = p++;
  const parts: Expr[] = [];
  const offsets: number[] = [starts[head]!];
  let last = head;
  let endsInInterpolation = false;
  let interpolations = 0;
  for (;;) {
    const k = kind(p);
    if (k === PATH_STR) {
      offsets.push(starts[p]!);
      parts.push({ kind: 'string', value: image(p) });
      last = p++;
      endsInInterpolation = false;
    } else if (k === DOLLAR_CURLY) {
      const open = p++;
      const e = expr();
      last = expect(RCURLY);
      offsets.push(starts[open]!);
      parts.push(e);
      endsInInterpolation = true;
      interpolations++;
    } else break;
  }
  if (kind(p) === PATH_END) p++;
  if (!endsInInterpolation && text.charCodeAt(ends[last]! - 1) === 47 /* / */) fail();
  if (parts.length > 0 && interpolations === 0) fail();
  const s = image(head);
  let value: string;
  if (kinds[head] === HPATH) value = ctx.home + s.slice(1);
  else {
    value = absPath(s, ctx.basePath);
    if (s.endsWith('/') && s.length > 1) value += '/';
  }
  const e: Expr = { kind: 'path', value };
  if (parts.length === 0) return e;
  parts.unshift(e);
  const esPos = offsets.map(pos);
  return { kind: 'concatStrings', forceString: false, es: parts, esPos, pos: esPos[0]! };
}

/** Bindings of a set or let; `before` is the index of the token preceding them. */
function binds(before: number): ExprAttrs {
  const attrs = newAttrs(pos(starts[before]!));
  for (;;) {
    const k = kind(p);
    if (k === INHERIT) {
      const kw = p++;
      let from: Expr | undefined;
      let close = 0;
      if (kind(p) === LPAREN) {
        p++;
        from = expr();
        close = expect(RPAREN);
      }
      const names: string[] = [];
      for (;;) {
        const k2 = kind(p);
        if (k2 === ID || k2 === OR_KW) {
          const name = image(p++);
          ctx.symbols.intern(name);
          names.push(name);
        } else if (k2 === QUOTE || k2 === DOLLAR_CURLY) {
          const e = stringAttr();
          if (e.kind !== 'string') fail();
          ctx.symbols.intern(e.value);
          names.push(e.value);
        } else break;
      }
      expect(SEMI);
      const bindsPos = pos(ends[before]!);
      if (from !== undefined) addInheritedFrom(ctx, attrs, from, names, pos(ends[close]!), bindsPos);
      else addInherited(ctx, attrs, names, pos(ends[kw]!), bindsPos);
    } else if ((cls[k]! & ATTR_START) !== 0) {
      const start = starts[p]!;
      const path = attrpath();
      expect(ASSIGN);
      const e = expr();
      expect(SEMI);
      addAttr(ctx, attrs, path, e, pos(start));
    } else return attrs;
  }
}

function attrpath(): AttrName[] {
  const path: AttrName[] = [];
  for (;;) {
    const k = kind(p);
    if (k === ID || k === OR_KW) {
      const name = image(p++);
      ctx.symbols.intern(name);
      path.push({ name });
    } else if (k === QUOTE || k === DOLLAR_CURLY) {
      const e = stringAttr();
      if (e.kind === 'string') {
        ctx.symbols.intern(e.value);
        path.push({ name: e.value });
      } else path.push({ expr: e });
    } else fail();
    if (kind(p) !== DOT) return path;
    p++;
  }
}

function stringAttr(): Expr {
  if (kind(p) === QUOTE) {
    p++;
    const e = stringParts();
    expect(STRING_END);
    return e;
  }
  expect(DOLLAR_CURLY);
  const e = expr();
  expect(RCURLY);
  return e;
}
