/** The parse entry point: source text → AST and errors (never throws for bad input). */
import { MError, isMError } from '@m/core';
import { createTokenInstance, type IToken } from 'chevrotain';
import type { Expr, StaticScope } from './ast';
import { Invalid } from './tokens';
import { lex, toTokens } from './lexer';
import { parseFast } from './fast-parser';
import { getParser } from './parser';
import { createPosTable } from './positions';
import { createSymbolTable, type SymbolTable } from './symbols';
import { bindVars } from './bind-vars';
import type { ParseContext } from './context';

export interface ParseOptions {
  /** Origin used in positions: an absolute path, or «string» / «stdin». */
  file: string;
  /** Directory that relative path literals resolve against. */
  basePath: string;
  /** Home directory for `~/…` paths (default: $HOME). */
  home?: string;
  /** When given, variables are resolved against it and undefined ones reported. */
  scope?: StaticScope;
  /** Symbol table to share between parses (affects only `let`/formals ordering, as in Nix). */
  symbols?: SymbolTable;
}

export interface ParseResult {
  ast?: Expr;
  errors: MError[];
}

const trailingSkip = /[ \t\r\n]+|#[^\r\n]*|\/\*(?:[^*]|\*+[^*/])*\*+\//y;

/** Offset of the last token Nix's lexer saw before end of input (whitespace and comments count). */
function lastLexedOffset(source: string, tokens: IToken[]): number {
  const last = tokens[tokens.length - 1];
  let off = last ? last.startOffset : 0;
  let p = last ? last.startOffset + last.image.length : 0;
  for (;;) {
    trailingSkip.lastIndex = p;
    const m = trailingSkip.exec(source);
    if (!m || m[0].length === 0) break;
    off = p;
    p += m[0].length;
  }
  return off;
}

export function parse(source: string, opts: ParseOptions): ParseResult {
  return parseWith(source, opts, 'both')!;
}

/**
 * For tests, which compare the two parsers: `chevrotain` parses with it alone, `fast` with the
 * fast path alone (undefined where it gives up).
 */
export function parseWithOnly(source: string, opts: ParseOptions, only: 'fast' | 'chevrotain'): ParseResult | undefined {
  return parseWith(source, opts, only);
}

function parseWith(source: string, opts: ParseOptions, mode: 'both' | 'fast' | 'chevrotain'): ParseResult | undefined {
  const positions = createPosTable(source, opts.file);
  const symbols = opts.symbols ?? createSymbolTable();
  symbols.intern(opts.file === '«string»' || opts.file === '«stdin»' ? source : opts.file);
  const ctx: ParseContext = {
    file: opts.file,
    basePath: opts.basePath,
    home: opts.home ?? process.env.HOME ?? '',
    positions,
    symbols,
    attrIndex: new Map(),
  };

  const compact = lex(source);
  if (mode === 'fast' && compact.stop !== undefined) return undefined;
  if (mode !== 'chevrotain' && compact.stop === undefined) {
    // Input that parses takes the fast path; anything else is parsed again by chevrotain, which
    // reports the error (and interns its symbols itself).
    const mark = symbols.mark();
    const ast = parseFast(compact, ctx);
    if (ast) return finish(ast, opts);
    symbols.rollback(mark);
    if (mode === 'fast') return undefined;
    ctx.attrIndex = new Map();
  }
  const lexed = { tokens: toTokens(compact), stop: compact.stop };
  // A character no token matches stops the lexer; the parser reports it as an invalid token.
  const stop = lexed.stop === undefined ? undefined : { offset: lexed.stop };
  if (stop) lexed.tokens.push(createTokenInstance(Invalid, source.charAt(stop.offset), stop.offset, stop.offset, NaN, NaN, NaN, NaN));
  const parser = getParser();
  parser.ctx = ctx;
  parser.nesting = 0;
  parser.input = lexed.tokens;
  let ast: Expr | undefined;
  let err: (typeof parser.errors)[number] | undefined;
  try {
    ast = parser.expr();
    err = parser.errors[0];
  } catch (e) {
    if (isMError(e)) return { errors: [e] };
    throw e;
  } finally {
    parser.input = [];
  }
  if (err) {
    // Nix's LR parser reaches an invalid character before complaining; our LL(k) lookahead may stop earlier.
    if (stop && !Number.isNaN(err.token.startOffset) && err.token.startOffset !== stop.offset && lexed.tokens.length - lexed.tokens.indexOf(err.token) <= 3)
      return { errors: [new MError('PARSE_ERROR', 'syntax error, unexpected invalid token', { pos: positions.at(stop.offset) })] };
    const offset = Number.isNaN(err.token.startOffset) ? lastLexedOffset(source, lexed.tokens) : err.token.startOffset;
    return { errors: [new MError('PARSE_ERROR', err.message, { pos: positions.at(offset) })] };
  }
  if (!ast) return { errors: [new MError('PARSE_ERROR', 'syntax error', { pos: positions.at(0) })] };
  return finish(ast, opts);
}

function finish(ast: Expr, opts: ParseOptions): ParseResult {
  if (opts.scope) {
    const errors = bindVars(ast, opts.scope);
    if (errors.length > 0) return { ast, errors };
  }
  return { ast, errors: [] };
}
