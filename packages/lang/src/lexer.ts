/**
 * The tokenizer that feeds both parsers: a hand-written, mode-aware scanner producing tokens of
 * the token types in tokens.ts as parallel arrays (`lex`, read by fast-parser.ts), turned into
 * chevrotain IToken objects only for the chevrotain parser (`toTokens`, `tokenize`).
 *
 * Why not chevrotain's Lexer: building it (pattern analysis) ran at every start-up, roughly half of
 * importing this package, which every `m` command pays. This scanner needs no set-up, is as fast per
 * token (measured in test/timing.test.ts), dispatches on the first character and reuses the exact
 * patterns of tokens.ts where a token is not a fixed string. It produces the same token vector as
 * the declarative chevrotain definition (`createReferenceLexer` in tokens.ts), which
 * test/lexer.test.ts checks on real files, the differential corpus and random inputs; like that
 * lexer it stops at the first character no token matches.
 *
 * Semantics (Nix's lexer.l, first matching rule in each mode, keywords yield to longer ids):
 * modes `expr`, `string` ("…"), `indString` (''…''), `path` (rest of a path literal that may
 * contain `${…}`). `{` and `${` push `expr`, `}` pops (an unmatched `}` stays in `expr`).
 */
import type { IToken, TokenType } from 'chevrotain';
import * as T from './tokens';

const EXPR = 0;
const STRING = 1;
const IND = 2;
const PATH = 3;

const PC = '[a-zA-Z0-9._\\-+]';
const pathSegBeforeInterp = new RegExp(`${PC}*\\/(?=\\$\\{)`, 'y');
const fullPath = new RegExp(`${PC}*(?:\\/${PC}+)+\\/?`, 'y');
const hpathBeforeInterp = /~\/(?=\$\{)/y;
const fullHPath = new RegExp(`~(?:\\/${PC}+)+\\/?`, 'y');
const uri = /[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+/y;
const spath = /<[a-zA-Z0-9._\-+]+(?:\/[a-zA-Z0-9._\-+]+)*>/y;
const float = /(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[Ee][+-]?[0-9]+)?/y;
const blockComment = /\/\*(?:[^*]|\*+[^*/])*\*+\//y;
const str = /(?:[^$"\\]|\$[^{"\\]|\\[\s\S]|\$\\[\s\S])+(?:\$(?="))?|\$(?=")|\$\\|\$|\\/y;
const indText = /(?:[^$']|\$[^{']|'[^'$])+/y;
const indOpen = /''(?: *\n)?/y;

// Character classes by code unit (ASCII only; everything else is "other").
const C_PATH = 1; // [a-zA-Z0-9._\-+]
const C_ID_START = 2; // [a-zA-Z_]
const C_ID = 4; // [a-zA-Z0-9_'-]
const C_URI_SCHEME = 8; // [a-zA-Z0-9+\-.]
const C_URI = 16; // [a-zA-Z0-9%/?:@&=+$,\-_.!~*']
const cls = new Uint8Array(128);
function mark(chars: string, bit: number): void {
  for (const ch of chars) cls[ch.charCodeAt(0)]! |= bit;
}
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
mark(LETTERS + DIGITS + '._-+', C_PATH);
mark(LETTERS + '_', C_ID_START);
mark(LETTERS + DIGITS + "_'-", C_ID);
mark(LETTERS + DIGITS + '+-.', C_URI_SCHEME);
mark(LETTERS + DIGITS + "%/?:@&=+$,-_.!~*'", C_URI);

function is(c: number, bit: number): boolean {
  return c < 128 && (cls[c]! & bit) !== 0;
}


const keywords = new Map<string, TokenType>([
  ['if', T.If], ['then', T.Then], ['else', T.Else], ['assert', T.Assert], ['with', T.With], ['let', T.Let],
  ['in', T.In], ['rec', T.Rec], ['inherit', T.Inherit], ['or', T.OrKw],
]);

/** Single-character punctuation of `expr` mode that no longer token can start with, by char code. */
const single: (TokenType | undefined)[] = new Array<TokenType | undefined>(128).fill(undefined);
for (const [ch, t] of [
  ['{', T.LCurly], ['}', T.RCurly], ['"', T.Quote], ['(', T.LParen], [')', T.RParen], ['[', T.LBracket],
  [']', T.RBracket], [';', T.Semi], [':', T.Colon], [',', T.Comma], ['@', T.At], ['?', T.Question], ['*', T.Star],
] as [string, TokenType][]) {
  single[ch.charCodeAt(0)] = t;
}

export interface LexResult {
  tokens: IToken[];
  /**
   * Offset of a character that starts no token (in `expr` mode), where tokenizing stopped. Nix
   * rejects it as an invalid token; the caller decides where to report that.
   */
  stop?: number;
}

/**
 * Tokens as parallel arrays (no object per token): token `i` has type index `kinds[i]` (the
 * chevrotain `tokenTypeIdx` of its type in tokens.ts) and spans `text[starts[i], ends[i])`.
 * The arrays may be longer than `count`.
 */
export interface Lexed {
  text: string;
  count: number;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /** As in LexResult. */
  stop?: number;
}

/** Scanner state; the scan functions below each consume one token (or skipped text). */
interface State {
  text: string;
  n: number;
  pos: number;
  count: number;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  modes: number[];
  mode: number;
  stop: number;
}

function grow(st: State): void {
  const size = st.kinds.length * 2;
  const kinds = new Uint8Array(size);
  kinds.set(st.kinds);
  const starts = new Int32Array(size);
  starts.set(st.starts);
  const ends = new Int32Array(size);
  ends.set(st.ends);
  st.kinds = kinds;
  st.starts = starts;
  st.ends = ends;
}

/** Emits the token `text[start, end)` and moves past it. */
function emitSpan(st: State, type: TokenType, start: number, end: number): void {
  if (st.count === st.kinds.length) grow(st);
  const i = st.count++;
  st.kinds[i] = type.tokenTypeIdx!;
  st.starts[i] = start;
  st.ends[i] = end;
  st.pos = end;
}

/** Emits a fixed-text token at the current position. */
function fixed(st: State, type: TokenType, image: string): void {
  emitSpan(st, type, st.pos, st.pos + image.length);
}

function push(st: State, m: number): void {
  st.modes.push(m);
  st.mode = m;
}

function pop(st: State): void {
  if (st.modes.length > 1) {
    st.modes.pop();
    st.mode = st.modes[st.modes.length - 1]!;
  }
}

function sticky(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.test(text) ? re.lastIndex : -1;
}

/** End of a path literal starting at `pos`, or -1. */
function pathEnd(text: string, pos: number): number {
  let j = pos;
  while (is(text.charCodeAt(j), C_PATH)) j++;
  if (text.charCodeAt(j) !== 47 /* / */) return -1;
  const e = sticky(pathSegBeforeInterp, text, pos);
  return e >= 0 ? e : sticky(fullPath, text, pos);
}

/** End of a URI starting at `pos` (a letter), or -1. */
function uriEnd(text: string, pos: number): number {
  let j = pos + 1;
  while (is(text.charCodeAt(j), C_URI_SCHEME)) j++;
  if (text.charCodeAt(j) !== 58 /* : */ || !is(text.charCodeAt(j + 1), C_URI)) return -1;
  return sticky(uri, text, pos);
}

/** An identifier or keyword, or a path or URI that starts like one. */
function scanWord(st: State, c: number): void {
  const text = st.text;
  const pos = st.pos;
  let e = pos + 1;
  while (is(text.charCodeAt(e), C_ID)) e++;
  const d = text.charCodeAt(e);
  // Only a word followed by one of `/ : . +` can be the start of a path or URI.
  if (d !== 47 && d !== 58 && d !== 46 && d !== 43) {
    emitSpan(st, e - pos <= 7 ? keywords.get(text.slice(pos, e)) ?? T.Id : T.Id, pos, e);
    return;
  }
  e = pathEnd(text, pos);
  if (e >= 0) {
    emitSpan(st, T.Path, pos, e);
    push(st, PATH);
    return;
  }
  if (c !== 95 /* _ */ && (e = uriEnd(text, pos)) >= 0) {
    emitSpan(st, T.Uri, pos, e);
    return;
  }
  e = pos + 1;
  while (is(text.charCodeAt(e), C_ID)) e++;
  emitSpan(st, e - pos <= 7 ? keywords.get(text.slice(pos, e)) ?? T.Id : T.Id, pos, e);
}

/** Tokens starting with one of `0-9 . - + /`: a path first, then numbers and operators. */
function scanPathChar(st: State, c: number): void {
  const text = st.text;
  const pos = st.pos;
  let e = pathEnd(text, pos);
  if (e >= 0) {
    emitSpan(st, T.Path, pos, e);
    push(st, PATH);
    return;
  }
  const digit = c >= 48 && c <= 57;
  if ((digit || c === 46) && (e = sticky(float, text, pos)) >= 0) return emitSpan(st, T.Float, pos, e);
  const c2 = text.charCodeAt(pos + 1);
  if (digit) {
    e = pos + 1;
    for (let d = text.charCodeAt(e); d >= 48 && d <= 57; d = text.charCodeAt(++e));
    return emitSpan(st, T.Int, pos, e);
  }
  if (c === 46) return c2 === 46 && text.charCodeAt(pos + 2) === 46 ? fixed(st, T.Ellipsis, '...') : fixed(st, T.Dot, '.');
  if (c === 45) return c2 === 62 ? fixed(st, T.Impl, '->') : fixed(st, T.Minus, '-');
  if (c === 43) return c2 === 43 ? fixed(st, T.Concat, '++') : fixed(st, T.Plus, '+');
  return c2 === 47 ? fixed(st, T.Update, '//') : fixed(st, T.Slash, '/');
}

/** Tokens starting with a character not handled by the fast paths of `scanExpr`. */
function scanOther(st: State, c: number): void {
  const text = st.text;
  const pos = st.pos;
  const c2 = text.charCodeAt(pos + 1);
  let e: number;
  if (c === 35 /* # */) {
    e = pos + 1;
    for (let d = text.charCodeAt(e); e < st.n && d !== 10 && d !== 13; d = text.charCodeAt(++e));
    st.pos = e;
  } else if (c === 47 /* / */ && c2 === 42 /* * */ && (e = sticky(blockComment, text, pos)) >= 0) st.pos = e;
  else if (is(c, C_PATH) || c === 47) scanPathChar(st, c);
  else if (c === 126 /* ~ */) {
    if ((e = sticky(hpathBeforeInterp, text, pos)) >= 0 || (e = sticky(fullHPath, text, pos)) >= 0) {
      emitSpan(st, T.HPath, pos, e);
      push(st, PATH);
    } else st.stop = pos;
  } else if (c === 60 /* < */) {
    if ((e = sticky(spath, text, pos)) >= 0) emitSpan(st, T.SPath, pos, e);
    else if (c2 === 61) fixed(st, T.Leq, '<=');
    else fixed(st, T.Lt, '<');
  } else if (c === 62 /* > */) {
    if (c2 === 61) fixed(st, T.Geq, '>=');
    else fixed(st, T.Gt, '>');
  } else if (c === 61 /* = */) {
    if (c2 === 61) fixed(st, T.Eq, '==');
    else fixed(st, T.Assign, '=');
  } else if (c === 33 /* ! */) {
    if (c2 === 61) fixed(st, T.Neq, '!=');
    else fixed(st, T.Not, '!');
  } else if (c === 38 /* & */ && c2 === 38) fixed(st, T.And, '&&');
  else if (c === 124 /* | */ && c2 === 124) fixed(st, T.OrOp, '||');
  else if (c === 36 /* $ */ && c2 === 123) {
    fixed(st, T.DollarCurly, '${');
    push(st, EXPR);
  } else if (c === 39 /* ' */ && c2 === 39) {
    emitSpan(st, T.IndOpen, pos, sticky(indOpen, text, pos));
    push(st, IND);
  } else st.stop = pos;
}

/** One token (or skipped whitespace / comment) of `expr` mode; sets `stop` at a stray character. */
function scanExpr(st: State): void {
  const text = st.text;
  const pos = st.pos;
  const c = text.charCodeAt(pos);
  if (c === 32 || c === 10 || c === 9 || c === 13) {
    let e = pos + 1;
    for (let d = text.charCodeAt(e); d === 32 || d === 10 || d === 9 || d === 13; d = text.charCodeAt(++e));
    st.pos = e;
    return;
  }
  if (is(c, C_ID_START)) return scanWord(st, c);
  const t1 = c < 128 ? single[c] : undefined;
  if (t1 === undefined) return scanOther(st, c);
  emitSpan(st, t1, pos, pos + 1);
  if (t1 === T.LCurly) push(st, EXPR);
  else if (t1 === T.RCurly) pop(st);
  else if (t1 === T.Quote) push(st, STRING);
}

function scanString(st: State): void {
  const text = st.text;
  const pos = st.pos;
  const c = text.charCodeAt(pos);
  if (c === 34 /* " */) {
    fixed(st, T.StringEnd, '"');
    pop(st);
  } else if (c === 36 && text.charCodeAt(pos + 1) === 123) {
    fixed(st, T.DollarCurly, '${');
    push(st, EXPR);
  } else emitSpan(st, T.Str, pos, sticky(str, text, pos));
}

function scanInd(st: State): void {
  const text = st.text;
  const pos = st.pos;
  const c = text.charCodeAt(pos);
  const c2 = text.charCodeAt(pos + 1);
  if (c === 39 /* ' */ && c2 === 39) {
    const c3 = text.charCodeAt(pos + 2);
    if (c3 === 39) fixed(st, T.IndEscQuotes, "'''");
    else if (c3 === 36) fixed(st, T.IndEscDollar, "''$");
    else if (c3 === 92 && pos + 3 < st.n) emitSpan(st, T.IndEscAny, pos, pos + 4);
    else {
      fixed(st, T.IndClose, "''");
      pop(st);
    }
  } else if (c === 36 && c2 === 123) {
    fixed(st, T.DollarCurly, '${');
    push(st, EXPR);
  } else {
    const e = sticky(indText, text, pos);
    if (e >= 0) emitSpan(st, T.IndText, pos, e);
    else if (c === 36) fixed(st, T.IndDollar, '$');
    else fixed(st, T.IndQuote, "'");
  }
}

function scanPath(st: State): void {
  const text = st.text;
  const pos = st.pos;
  const c = text.charCodeAt(pos);
  if (c === 36 && text.charCodeAt(pos + 1) === 123) {
    fixed(st, T.DollarCurly, '${');
    push(st, EXPR);
  } else if (is(c, C_PATH) || c === 47) {
    let e = pos + 1;
    for (let d = text.charCodeAt(e); is(d, C_PATH) || d === 47; d = text.charCodeAt(++e));
    emitSpan(st, T.PathStr, pos, e);
  } else {
    emitSpan(st, T.PathEnd, pos, pos);
    pop(st);
  }
}

/** Tokenizes `text` into parallel arrays. */
export function lex(text: string): Lexed {
  const size = 64 + (text.length >> 2);
  const st: State = {
    text, n: text.length, pos: 0, count: 0,
    kinds: new Uint8Array(size), starts: new Int32Array(size), ends: new Int32Array(size),
    modes: [EXPR], mode: EXPR, stop: -1,
  };
  while (st.pos < st.n) {
    const mode = st.mode;
    if (mode === EXPR) {
      scanExpr(st);
      if (st.stop >= 0) break;
    } else if (mode === STRING) scanString(st);
    else if (mode === IND) scanInd(st);
    else scanPath(st);
  }
  const out: Lexed = { text, count: st.count, kinds: st.kinds, starts: st.starts, ends: st.ends };
  if (st.stop >= 0) out.stop = st.stop;
  return out;
}

const typeByIdx: TokenType[] = [];
for (const t of T.allTokens) typeByIdx[t.tokenTypeIdx!] = t;

/** The chevrotain token objects of `lexed` (what the chevrotain parser reads). */
export function toTokens(lexed: Lexed): IToken[] {
  const tokens: IToken[] = new Array<IToken>(lexed.count);
  for (let i = 0; i < lexed.count; i++) {
    const type = typeByIdx[lexed.kinds[i]!]!;
    const start = lexed.starts[i]!;
    const image = lexed.text.slice(start, lexed.ends[i]!);
    tokens[i] = { image, startOffset: start, tokenTypeIdx: type.tokenTypeIdx!, tokenType: type } as IToken;
  }
  return tokens;
}

/** Tokenizes `text` into chevrotain tokens. */
export function tokenize(text: string): LexResult {
  const lexed = lex(text);
  const out: LexResult = { tokens: toTokens(lexed) };
  if (lexed.stop !== undefined) out.stop = lexed.stop;
  return out;
}
