/**
 * The Nix 2.8 grammar (parser.y) as a chevrotain parser with embedded actions that build the AST
 * directly. Operator expressions are collected flat and resolved by precedence in `operators.ts`.
 * Parse-time checks (duplicate attributes, formals, …) throw MError from the actions.
 * It parses what the fast path (fast-parser.ts, the same grammar by hand) gives up on, i.e. input
 * with an error, and is what that fast path is tested against; its errors are the ones reported.
 */
import {
  EmbeddedActionsParser,
  EOF,
  LLkLookaheadStrategy,
  type ILookaheadStrategy,
  type IToken,
  type IParserErrorMessageProvider,
  type OrMethodOpts,
} from 'chevrotain';
import { MError } from '@m/core';
import * as T from './tokens';
import type { AttrName, Expr, ExprAttrs, ExprLambda, Formal, Pos } from './ast';
import { resolveOperators, type OpItem } from './operators';
import { unescapeStr, stripIndentation, type IndPart } from './strings';
import { absPath } from './paths';
import type { ParseContext } from './context';
import { addAttr, addInherited, addInheritedFrom, checkFormals, newAttrs, rankLetBindings } from './attrs';

function describe(t: IToken): string {
  return t.tokenType === EOF ? 'end of file' : T.bisonName(t.tokenType);
}

/** Tokens in the order bison numbers them (it lists expected tokens in this order). */
const bisonOrder = [
  'ID', 'ATTRPATH', 'STR', 'IND_STR', 'INT', 'FLOAT', 'PATH', 'HPATH', 'SPATH', 'PATH_END', 'URI', 'IF', 'THEN',
  'ELSE', 'ASSERT', 'WITH', 'LET', 'IN', 'REC', 'INHERIT', 'EQ', 'NEQ', 'AND', 'OR', 'IMPL', 'OR_KW', 'DOLLAR_CURLY',
  'IND_STRING_OPEN', 'IND_STRING_CLOSE', 'ELLIPSIS', "'<'", "'>'", 'LEQ', 'GEQ', 'UPDATE', 'NOT', "'+'", "'-'", "'*'",
  "'/'", 'CONCAT', "'?'", 'NEGATE', "':'", "'{'", "'}'", "'@'", "';'", "'!'", "'.'", `'"'`, "'('", "')'", "'['",
  "']'", "'='", "','",
];

function expecting(names: Iterable<string>): string {
  const list = [...new Set(names)].sort((a, b) => bisonOrder.indexOf(a) - bisonOrder.indexOf(b));
  return list.length > 0 && list.length <= 4 ? `, expecting ${list.join(' or ')}` : '';
}

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, ruleName }) => {
    const head = `syntax error, unexpected ${describe(actual)}`;
    // Where bison's state still allows more than the missing closer, it lists no expectations.
    if (expected === T.RBracket || (ruleName === 'exprSimple' && expected === T.RCurly) || expected === T.In) return head;
    if (ruleName === 'binds' && expected === T.Assign) return head + expecting(["'.'", "'='"]);
    if (expected === T.IndClose) return head + expecting(['IND_STR', 'DOLLAR_CURLY', 'IND_STRING_CLOSE']);
    return head + expecting([T.bisonName(expected)]);
  },
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `syntax error, unexpected ${describe(firstRedundant)}, expecting end of file`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual }) => {
    const expected: string[] = [];
    for (const alt of expectedPathsPerAlt) for (const path of alt) if (path[0]) expected.push(T.bisonName(path[0]));
    return `syntax error, unexpected ${describe(actual[0]!)}` + expecting(expected);
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) =>
    `syntax error, unexpected ${describe(actual[0]!)}` +
    expecting(expectedIterationPaths.flatMap((path) => (path[0] ? [T.bisonName(path[0])] : []))),
};

/** A no-position marker, like Nix's noPos (printed as "undefined position"). */
export function noPos(file: string): Pos {
  return { file, line: 0, column: 0 };
}

/**
 * chevrotain's LL(k) lookahead, each decision's function computed on its first use instead of all
 * of them while the parser is built: building them all is most of `performSelfAnalysis`, paid by
 * every process, and a small expression reaches only a few of the grammar's decisions.
 */
function lazyLookahead(maxLookahead: number): ILookaheadStrategy {
  const llk = new LLkLookaheadStrategy({ maxLookahead });
  type Alternation = ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']>;
  type Optional = ReturnType<ILookaheadStrategy['buildLookaheadForOptional']>;
  return {
    validate: (options) => llk.validate(options),
    buildLookaheadForAlternation(options) {
      let f: Alternation | undefined;
      return function (this: ThisParameterType<Alternation>, alts) {
        f ??= llk.buildLookaheadForAlternation(options);
        return f.call(this, alts);
      };
    },
    buildLookaheadForOptional(options) {
      let f: Optional | undefined;
      return function (this: ThisParameterType<Optional>) {
        f ??= llk.buildLookaheadForOptional(options);
        return f.call(this);
      };
    },
  };
}

/**
 * Deepest nesting of expressions the parser accepts. Nix 2.8's Bison parser stops at 10,000 stack
 * entries ("memory exhausted"; about 9,997 nested parentheses, fewer nested sets or lambdas); m
 * accepts at least as much and refuses beyond with a positioned error, so parsing time stays
 * bounded (a deeper stack makes every garbage collection scan longer).
 */
export const MAX_NESTING = 10_000;

class NixParser extends EmbeddedActionsParser {
  ctx!: ParseContext;
  /** Current depth of `expr` rules; reset for each parse. */
  nesting = 0;
  // Alternatives of the hottest ORs, built once: their ALTs use no per-call state (chevrotain's
  // "caching arrays of alternatives" optimization; a literal would be rebuilt on every call).
  private exprAlts?: OrMethodOpts<Expr>;
  private exprSimpleAlts?: OrMethodOpts<Expr>;

  /** `validate`: run chevrotain's grammar validations (slow; the grammar is fixed, so tests do it). */
  constructor(validate: boolean) {
    super(T.allTokens, {
      recoveryEnabled: false,
      maxLookahead: 3,
      errorMessageProvider: errorMessages,
      skipValidations: !validate,
      // The validated parser (tests) builds every lookahead function up front, as chevrotain does.
      ...(validate ? {} : { lookaheadStrategy: lazyLookahead(3) }),
    });
    this.performSelfAnalysis();
  }

  private pos(offset: number): Pos {
    return this.ctx.positions.at(offset);
  }

  private var(name: string, pos: Pos): Expr {
    return { kind: 'var', name, pos, fromWith: false, level: 0, displ: 0 };
  }

  /** Position just after token `t` (where Nix locates an empty rule that follows it). */
  private after(t: IToken): Pos {
    return this.pos(t.startOffset + t.image.length);
  }

  private isFormalsAhead(): boolean {
    const t2 = this.LA(2).tokenType;
    if (t2 === T.RCurly) {
      const t3 = this.LA(3).tokenType;
      return t3 === T.Colon || t3 === T.At;
    }
    if (t2 === T.Ellipsis) return true;
    if (t2 === T.Id) {
      const t3 = this.LA(3).tokenType;
      return t3 === T.Comma || t3 === T.Question || t3 === T.RCurly;
    }
    return false;
  }

  public expr: () => Expr = this.RULE('expr', (): Expr => {
    if (++this.nesting > MAX_NESTING && !this.RECORDING_PHASE) {
      const t = this.LA(1);
      throw new MError('PARSE_ERROR', `syntax error, expressions nested too deeply (more than ${MAX_NESTING} levels)`, {
        pos: this.pos(Number.isNaN(t.startOffset) ? 0 : t.startOffset),
      });
    }
    const e = this.OR((this.exprAlts ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.LA(2).tokenType === T.Colon,
          ALT: () => {
            const id = this.CONSUME(T.Id);
            this.CONSUME(T.Colon);
            const body = this.SUBRULE(this.expr);
            return this.ACTION((): Expr => {
              this.ctx.symbols.intern(id.image);
              return { kind: 'lambda', arg: id.image, body, pos: this.pos(id.startOffset) };
            });
          },
        },
        {
          GATE: () => this.LA(2).tokenType === T.At,
          ALT: () => {
            const id = this.CONSUME2(T.Id);
            this.CONSUME(T.At);
            this.CONSUME(T.LCurly);
            const formals = this.SUBRULE(this.formals);
            this.CONSUME(T.RCurly);
            this.CONSUME2(T.Colon);
            const body = this.SUBRULE2(this.expr);
            return this.ACTION(() => this.lambda(id.startOffset, id.image, formals, body));
          },
        },
        {
          GATE: () => this.isFormalsAhead(),
          ALT: () => {
            const open = this.CONSUME2(T.LCurly);
            const formals = this.SUBRULE2(this.formals);
            this.CONSUME2(T.RCurly);
            const arg = this.OPTION(() => {
              this.CONSUME2(T.At);
              return this.CONSUME3(T.Id);
            });
            this.CONSUME3(T.Colon);
            const body = this.SUBRULE3(this.expr);
            return this.ACTION(() => this.lambda(open.startOffset, arg?.image, formals, body));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Assert);
            const cond = this.SUBRULE4(this.expr);
            this.CONSUME(T.Semi);
            const body = this.SUBRULE5(this.expr);
            return this.ACTION((): Expr => ({ kind: 'assert', cond, body, pos: this.pos(t.startOffset) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.With);
            const attrs = this.SUBRULE6(this.expr);
            this.CONSUME2(T.Semi);
            const body = this.SUBRULE7(this.expr);
            return this.ACTION((): Expr => ({ kind: 'with', attrs, body, prevWith: 0, pos: this.pos(t.startOffset) }));
          },
        },
        {
          GATE: () => this.LA(2).tokenType !== T.LCurly,
          ALT: () => {
            const t = this.CONSUME(T.Let);
            const attrs = this.SUBRULE(this.binds, { ARGS: [t] });
            this.CONSUME(T.In);
            const body = this.SUBRULE8(this.expr);
            return this.ACTION((): Expr => {
              if (attrs.dynamicAttrs.length > 0)
                throw new MError('PARSE_ERROR', 'dynamic attributes not allowed in let', { pos: this.pos(t.startOffset) });
              attrs.rec = true;
              rankLetBindings(this.ctx, attrs);
              return { kind: 'let', attrs, body };
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.If);
            const cond = this.SUBRULE9(this.expr);
            this.CONSUME(T.Then);
            const then = this.SUBRULE(this.ifBranch);
            this.CONSUME(T.Else);
            const els = this.SUBRULE2(this.ifBranch);
            return this.ACTION((): Expr => ({ kind: 'if', cond, then, else: els, pos: this.pos(t.startOffset) }));
          },
        },
        { ALT: () => this.SUBRULE(this.exprOp) },
      ],
    }));
    this.nesting--;
    return e;
  });

  /** A `then`/`else` branch: a full expression (a separate rule only for chevrotain's occurrence indices). */
  public ifBranch: () => Expr = this.RULE('ifBranch', (): Expr => this.SUBRULE(this.expr));

  private lambda(start: number, arg: string | undefined, formals: FormalsResult, body: Expr): ExprLambda {
    const pos = this.pos(start);
    if (arg !== undefined) this.ctx.symbols.intern(arg);
    const sorted = checkFormals(formals.list, arg, pos);
    return {
      kind: 'lambda',
      ...(arg !== undefined ? { arg } : {}),
      formals: { formals: sorted, ellipsis: formals.ellipsis },
      body,
      pos,
    };
  }

  public formals: () => FormalsResult = this.RULE('formals', (): FormalsResult => {
    const result = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Ellipsis);
            return { list: [], ellipsis: true } as FormalsResult;
          },
        },
        {
          ALT: () => {
            const f = this.SUBRULE(this.formal);
            const rest = this.OPTION2(() => {
              this.CONSUME(T.Comma);
              return this.SUBRULE(this.formals);
            });
            return this.ACTION((): FormalsResult => {
              const r = rest ?? { list: [], ellipsis: false };
              r.list.unshift(f);
              return r;
            });
          },
        },
      ]),
    );
    return result ?? { list: [], ellipsis: false };
  });

  public formal: () => RankedFormal = this.RULE('formal', (): RankedFormal => {
    const id = this.CONSUME(T.Id);
    const def = this.OPTION(() => {
      this.CONSUME(T.Question);
      return this.SUBRULE(this.expr);
    });
    return this.ACTION((): RankedFormal => {
      const rank = this.ctx.symbols.intern(id.image);
      const f: RankedFormal = { name: id.image, pos: this.pos(id.startOffset), rank, offset: id.startOffset };
      if (def !== undefined) f.def = def;
      return f;
    });
  });

  public exprOp: () => Expr = this.RULE('exprOp', (): Expr => {
    const items: OpItem[] = [];
    this.MANY(() => {
      const t = this.CONSUME(T.PrefixOp);
      if (!this.RECORDING_PHASE) items.push({ kind: 'prefix', token: t });
    });
    const start = this.LA(1).startOffset;
    const first = this.SUBRULE(this.exprApp);
    if (!this.RECORDING_PHASE) items.push({ kind: 'operand', e: first, start });
    this.MANY2(() => {
      this.OR([
        {
          ALT: () => {
            const t = this.CONSUME(T.BinaryOp);
            if (!this.RECORDING_PHASE) items.push({ kind: 'binary', token: t });
            this.MANY3(() => {
              const p = this.CONSUME2(T.PrefixOp);
              if (!this.RECORDING_PHASE) items.push({ kind: 'prefix', token: p });
            });
            const s = this.LA(1).startOffset;
            const e = this.SUBRULE2(this.exprApp);
            if (!this.RECORDING_PHASE) items.push({ kind: 'operand', e, start: s });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Question);
            const path = this.SUBRULE(this.attrpath);
            if (!this.RECORDING_PHASE) items.push({ kind: 'hasAttr', token: t, path });
          },
        },
      ]);
    });
    if (this.RECORDING_PHASE) return first;
    return items.length === 1 ? first : resolveOperators(items, this.ctx);
  });

  public exprApp: () => Expr = this.RULE('exprApp', (): Expr => {
    const start = this.LA(1).startOffset;
    let e = this.SUBRULE(this.exprSelect);
    this.MANY(() => {
      const arg = this.SUBRULE2(this.exprSelect);
      if (!this.RECORDING_PHASE) {
        if (e.kind === 'call') e.args.push(arg);
        else e = { kind: 'call', fun: e, args: [arg], pos: this.pos(start) };
      }
    });
    return e;
  });

  public exprSelect: () => Expr = this.RULE('exprSelect', (): Expr => {
    const start = this.LA(1).startOffset;
    const e = this.SUBRULE(this.exprSimple);
    const r = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            const attrPath = this.SUBRULE(this.attrpath);
            const def = this.OPTION2(() => {
              this.CONSUME(T.OrKw);
              return this.SUBRULE(this.exprSelect);
            });
            return this.ACTION((): Expr => {
              const pos = this.pos(start);
              return def === undefined ? { kind: 'select', e, attrPath, pos } : { kind: 'select', e, attrPath, def, pos };
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.OrKw);
            return this.ACTION((): Expr => {
              const pos = this.pos(start);
              this.ctx.symbols.intern('or');
              return { kind: 'call', fun: e, args: [this.var('or', pos)], pos };
            });
          },
        },
      ]),
    );
    return r ?? e;
  });

  public exprSimple: () => Expr = this.RULE('exprSimple', (): Expr => {
    return this.OR((this.exprSimpleAlts ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const t = this.CONSUME(T.Id);
            if (this.RECORDING_PHASE) return undefined as never;
            const pos = this.pos(t.startOffset);
            if (t.image === '__curPos') return { kind: 'curPos', pos };
            this.ctx.symbols.intern(t.image);
            return this.var(t.image, pos);
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Int);
            return this.ACTION((): Expr => {
              const value = BigInt(t.image);
              if (value > 9223372036854775807n)
                throw new MError('PARSE_ERROR', `invalid integer '${t.image}'`, { pos: this.pos(t.startOffset) });
              return { kind: 'int', value };
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Float);
            return this.ACTION((): Expr => {
              const value = Number(t.image);
              if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(t.image.replace(/[eE].*$/, ''))))
                throw new MError('PARSE_ERROR', `invalid float '${t.image}'`, { pos: this.pos(t.startOffset) });
              return { kind: 'float', value };
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Quote);
            const e = this.SUBRULE(this.stringParts);
            this.CONSUME(T.StringEnd);
            return e;
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.IndOpen);
            const parts = this.SUBRULE(this.indStringParts);
            this.CONSUME(T.IndClose);
            return this.ACTION(() => stripIndentation(parts, this.pos(t.startOffset)));
          },
        },
        { ALT: () => this.SUBRULE(this.path) },
        {
          ALT: () => {
            const t = this.CONSUME(T.SPath);
            return this.ACTION((): Expr => {
              const np = noPos(this.ctx.file);
              return {
                kind: 'call',
                fun: this.var('__findFile', np),
                args: [this.var('__nixPath', np), { kind: 'string', value: t.image.slice(1, -1) }],
                pos: this.pos(t.startOffset),
              };
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Uri);
            return this.ACTION((): Expr => ({ kind: 'string', value: t.image }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            const e = this.SUBRULE(this.expr);
            this.CONSUME(T.RParen);
            return e;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Let);
            const open = this.CONSUME(T.LCurly);
            const attrs = this.SUBRULE(this.binds, { ARGS: [open] });
            this.CONSUME(T.RCurly);
            return this.ACTION((): Expr => {
              attrs.rec = true;
              this.ctx.symbols.intern('body');
              return { kind: 'select', e: attrs, attrPath: [{ name: 'body' }], pos: noPos(this.ctx.file) };
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Rec);
            const open = this.CONSUME2(T.LCurly);
            const attrs = this.SUBRULE2(this.binds, { ARGS: [open] });
            this.CONSUME2(T.RCurly);
            return this.ACTION(() => {
              attrs.rec = true;
              return attrs;
            });
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME3(T.LCurly);
            const attrs = this.SUBRULE3(this.binds, { ARGS: [open] });
            this.CONSUME3(T.RCurly);
            return attrs;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            const elems: Expr[] = [];
            this.MANY(() => {
              const e = this.SUBRULE(this.exprSelect);
              if (!this.RECORDING_PHASE) elems.push(e);
            });
            this.CONSUME(T.RBracket);
            return this.ACTION((): Expr => ({ kind: 'list', elems }));
          },
        },
      ],
    }));
  });

  /** The inside of "…": a plain string, or an interpolation (ConcatStrings with forceString). */
  public stringParts: () => Expr = this.RULE('stringParts', (): Expr => {
    const parts: Expr[] = [];
    const starts: number[] = [];
    let interpolated = false;
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const t = this.CONSUME(T.Str);
            if (!this.RECORDING_PHASE) {
              starts.push(t.startOffset);
              parts.push({ kind: 'string', value: unescapeStr(t.image) });
            }
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.DollarCurly);
            const e = this.SUBRULE(this.expr);
            this.CONSUME(T.RCurly);
            this.ACTION(() => {
              starts.push(t.startOffset);
              interpolated = true;
              parts.push(e);
            });
          },
        },
      ]);
    });
    return this.ACTION((): Expr => {
      if (parts.length === 0) return { kind: 'string', value: '' };
      if (!interpolated && parts.length === 1) return parts[0]!;
      const esPos = starts.map((o) => this.pos(o));
      return { kind: 'concatStrings', forceString: true, es: parts, esPos, pos: esPos[0]! };
    });
  });

  public indStringParts: () => IndPart[] = this.RULE('indStringParts', (): IndPart[] => {
    const parts: IndPart[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const t = this.CONSUME(T.IndText);
            this.ACTION(() => parts.push({ text: t.image, indent: true, pos: this.pos(t.startOffset) }));
          },
        },
        {
          ALT: () => {
            const t = this.OR2([{ ALT: () => this.CONSUME(T.IndEscDollar) }, { ALT: () => this.CONSUME(T.IndDollar) }]);
            this.ACTION(() => parts.push({ text: '$', indent: false, pos: this.pos(t.startOffset) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.IndEscQuotes);
            this.ACTION(() => parts.push({ text: "''", indent: false, pos: this.pos(t.startOffset) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.IndEscAny);
            this.ACTION(() => parts.push({ text: unescapeStr(t.image.slice(2)), indent: false, pos: this.pos(t.startOffset) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.IndQuote);
            this.ACTION(() => parts.push({ text: "'", indent: false, pos: this.pos(t.startOffset) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.DollarCurly);
            const e = this.SUBRULE(this.expr);
            this.CONSUME(T.RCurly);
            this.ACTION(() => parts.push({ e, pos: this.pos(t.startOffset) }));
          },
        },
      ]);
    });
    return parts;
  });

  public path: () => Expr = this.RULE('path', (): Expr => {
    const head = this.OR([{ ALT: () => this.CONSUME(T.Path) }, { ALT: () => this.CONSUME(T.HPath) }]);
    const parts: Expr[] = [];
    const starts: number[] = [head.startOffset];
    let last: IToken = head;
    let endsInInterpolation = false;
    let interpolations = 0;
    this.MANY(() => {
      this.OR2([
        {
          ALT: () => {
            const t = this.CONSUME(T.PathStr);
            this.ACTION(() => {
              starts.push(t.startOffset);
              parts.push({ kind: 'string', value: t.image });
              last = t;
              endsInInterpolation = false;
            });
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(T.DollarCurly);
            const e = this.SUBRULE(this.expr);
            const close = this.CONSUME(T.RCurly);
            this.ACTION(() => {
              starts.push(open.startOffset);
              parts.push(e);
              last = close;
              endsInInterpolation = true;
              interpolations++;
            });
          },
        },
      ]);
    });
    const end = this.OPTION(() => this.CONSUME(T.PathEnd));
    return this.ACTION((): Expr => {
      if (!endsInInterpolation && last.image.endsWith('/')) {
        const where = end ? end.startOffset : last.startOffset;
        throw new MError('PARSE_ERROR', 'path has a trailing slash', { pos: this.pos(where) });
      }
      // Nix's grammar wants an interpolation first or right after the first text piece.
      if (parts.length > 0 && interpolations === 0) {
        throw new MError('PARSE_ERROR', 'syntax error, unexpected PATH_END, expecting DOLLAR_CURLY', {
          pos: this.pos(head.startOffset),
        });
      }
      const text = head.image;
      let value: string;
      if (head.tokenType === T.HPath) value = this.ctx.home + text.slice(1);
      else {
        value = absPath(text, this.ctx.basePath);
        if (text.endsWith('/') && text.length > 1) value += '/';
      }
      const p: Expr = { kind: 'path', value };
      if (parts.length === 0) return p;
      parts.unshift(p);
      const esPos = starts.map((o) => this.pos(o));
      return { kind: 'concatStrings', forceString: false, es: parts, esPos, pos: esPos[0]! };
    });
  });

  /** Bindings of a set or let; `before` is the token preceding them (Nix positions some nodes there). */
  public binds: (before: IToken) => ExprAttrs = this.RULE('binds', (before: IToken): ExprAttrs => {
    // The set's own position is the token before the bindings (`{`, `let`), as Nix's @0.
    const attrs = this.ACTION(() => newAttrs(this.pos(before.startOffset)));
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const kw = this.CONSUME(T.Inherit);
            const from = this.OPTION(() => {
              this.CONSUME(T.LParen);
              const e = this.SUBRULE(this.expr);
              const close = this.CONSUME(T.RParen);
              return { e, close };
            });
            const names: string[] = [];
            this.MANY2(() => {
              this.OR2([
                {
                  ALT: () => {
                    const t = this.OR3([{ ALT: () => this.CONSUME(T.Id) }, { ALT: () => this.CONSUME(T.OrKw) }]);
                    this.ACTION(() => {
                      this.ctx.symbols.intern(t.image);
                      names.push(t.image);
                    });
                  },
                },
                {
                  ALT: () => {
                    const start = this.ACTION(() => this.LA(1).startOffset);
                    const e = this.SUBRULE(this.stringAttr);
                    this.ACTION(() => {
                      if (e.kind !== 'string')
                        throw new MError('PARSE_ERROR', 'dynamic attributes not allowed in inherit', { pos: this.pos(start) });
                      this.ctx.symbols.intern(e.value);
                      names.push(e.value);
                    });
                  },
                },
              ]);
            });
            this.CONSUME(T.Semi);
            this.ACTION(() => {
              const bindsPos = this.after(before);
              if (from) addInheritedFrom(this.ctx, attrs, from.e, names, this.after(from.close), bindsPos);
              else addInherited(this.ctx, attrs, names, this.after(kw), bindsPos);
            });
          },
        },
        {
          ALT: () => {
            const start = this.LA(1).startOffset;
            const path = this.SUBRULE(this.attrpath);
            this.CONSUME(T.Assign);
            const e = this.SUBRULE2(this.expr);
            this.CONSUME2(T.Semi);
            if (!this.RECORDING_PHASE) addAttr(this.ctx, attrs, path, e, this.pos(start));
          },
        },
      ]);
    });
    return attrs;
  });

  public attrpath: () => AttrName[] = this.RULE('attrpath', (): AttrName[] => {
    const path: AttrName[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Dot,
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              const t = this.OR2([{ ALT: () => this.CONSUME(T.Id) }, { ALT: () => this.CONSUME(T.OrKw) }]);
              if (!this.RECORDING_PHASE) {
                this.ctx.symbols.intern(t.image);
                path.push({ name: t.image });
              }
            },
          },
          {
            ALT: () => {
              const e = this.SUBRULE(this.stringAttr);
              this.ACTION(() => {
                if (e.kind === 'string') {
                  this.ctx.symbols.intern(e.value);
                  path.push({ name: e.value });
                } else path.push({ expr: e });
              });
            },
          },
        ]);
      },
    });
    return path;
  });

  public stringAttr: () => Expr = this.RULE('stringAttr', (): Expr => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Quote);
          const e = this.SUBRULE(this.stringParts);
          this.CONSUME(T.StringEnd);
          return e;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.DollarCurly);
          const e = this.SUBRULE(this.expr);
          this.CONSUME(T.RCurly);
          return e;
        },
      },
    ]);
  });
}

export interface RankedFormal extends Formal {
  /** Symbol creation rank (Nix sorts formals by symbol identity). */
  rank: number;
  offset: number;
}

export interface FormalsResult {
  list: RankedFormal[];
  ellipsis: boolean;
}

let instance: NixParser | undefined;

/** The shared parser instance (building it is expensive; parsing resets its state). */
export function getParser(): NixParser {
  instance ??= new NixParser(false);
  return instance;
}

/** A fresh parser built with chevrotain's grammar validations (which throw on a grammar defect). */
export function createValidatedParser(): NixParser {
  return new NixParser(true);
}

export type { NixParser };
