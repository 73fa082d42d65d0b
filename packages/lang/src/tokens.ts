/**
 * Nix 2.8 tokens (see lexer.l) as chevrotain token types, and their reference multi-mode lexer.
 *
 * Modes: `expr` (Nix's DEFAULT), `string` ("…"), `indString` (''…''), `path` (the rest of a path
 * literal that may contain `${…}`). `{` and `${` push `expr`, `}` pops, so `}` returns to the
 * string or path being interpolated. A path always enters `path` mode; the zero-width PATH_END
 * token leaves it at the first character that cannot continue the path.
 *
 * Each token type's `bisonName` is the name Nix's parser uses in syntax error messages.
 */
import { createToken, Lexer, type TokenType, type CustomPatternMatcherFunc } from 'chevrotain';

const names = new Map<TokenType, string>();

function tok(name: string, bisonName: string, config: Omit<Parameters<typeof createToken>[0], 'name'>): TokenType {
  const t = createToken({ name, ...config });
  names.set(t, bisonName);
  return t;
}

/** The name of a token as Nix's bison parser prints it (`ID`, `'{'`, …). */
export function bisonName(t: TokenType): string {
  return names.get(t) ?? t.name;
}

/** Wraps a sticky regex as a chevrotain custom matcher. */
function sticky(re: RegExp): CustomPatternMatcherFunc {
  const r = new RegExp(re.source, 'y');
  return (text, offset) => {
    r.lastIndex = offset;
    return r.exec(text);
  };
}

const PC = '[a-zA-Z0-9._\\-+]';
const pathSegBeforeInterp = new RegExp(`${PC}*\\/(?=\\$\\{)`, 'y');
const fullPath = new RegExp(`${PC}*(?:\\/${PC}+)+\\/?`, 'y');
const hpathBeforeInterp = /~\/(?=\$\{)/y;
const fullHPath = new RegExp(`~(?:\\/${PC}+)+\\/?`, 'y');

function matchPath(first: RegExp, second: RegExp): CustomPatternMatcherFunc {
  return (text, offset) => {
    first.lastIndex = offset;
    const m = first.exec(text);
    if (m) return m;
    second.lastIndex = offset;
    return second.exec(text);
  };
}

const pathStartChars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/'];

// ---- skipped
export const Whitespace = tok('Whitespace', 'whitespace', { pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = tok('LineComment', 'comment', { pattern: /#[^\r\n]*/, group: Lexer.SKIPPED });
export const BlockComment = tok('BlockComment', 'comment', {
  pattern: /\/\*(?:[^*]|\*+[^*/])*\*+\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

// ---- modes entered by tokens
const EXPR = 'expr';
const STRING = 'string';
const IND = 'indString';
const PATH = 'path';

// ---- literals
export const Path = tok('Path', 'PATH', {
  pattern: { exec: matchPath(pathSegBeforeInterp, fullPath) },
  start_chars_hint: pathStartChars,
  line_breaks: false,
  push_mode: PATH,
});
export const HPath = tok('HPath', 'HPATH', {
  pattern: { exec: matchPath(hpathBeforeInterp, fullHPath) },
  start_chars_hint: ['~'],
  line_breaks: false,
  push_mode: PATH,
});
export const Uri = tok('Uri', 'URI', {
  pattern: /[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+/,
});
export const SPath = tok('SPath', 'SPATH', { pattern: /<[a-zA-Z0-9._\-+]+(?:\/[a-zA-Z0-9._\-+]+)*>/ });
export const Float = tok('Float', 'FLOAT', { pattern: /(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[Ee][+-]?[0-9]+)?/ });
export const Int = tok('Int', 'INT', { pattern: /[0-9]+/ });
export const Id = tok('Id', 'ID', { pattern: /[a-zA-Z_][a-zA-Z0-9_'-]*/ });

function keyword(word: string, bison: string): TokenType {
  return tok(bison, bison, { pattern: new RegExp(word), longer_alt: Id });
}
export const If = keyword('if', 'IF');
export const Then = keyword('then', 'THEN');
export const Else = keyword('else', 'ELSE');
export const Assert = keyword('assert', 'ASSERT');
export const With = keyword('with', 'WITH');
export const Let = keyword('let', 'LET');
export const In = keyword('in', 'IN');
export const Rec = keyword('rec', 'REC');
export const Inherit = keyword('inherit', 'INHERIT');
export const OrKw = keyword('or', 'OR_KW');

// ---- categories the parser consumes as one
/** Binary operators (resolved by precedence after parsing an operator chain). */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA });
/** `!` and `-` in prefix position. */
export const PrefixOp = createToken({ name: 'PrefixOp', pattern: Lexer.NA });

// ---- operators and punctuation
export const Ellipsis = tok('Ellipsis', 'ELLIPSIS', { pattern: '...' });
export const Eq = tok('Eq', 'EQ', { pattern: '==', categories: [BinaryOp] });
export const Neq = tok('Neq', 'NEQ', { pattern: '!=', categories: [BinaryOp] });
export const Leq = tok('Leq', 'LEQ', { pattern: '<=', categories: [BinaryOp] });
export const Geq = tok('Geq', 'GEQ', { pattern: '>=', categories: [BinaryOp] });
export const And = tok('And', 'AND', { pattern: '&&', categories: [BinaryOp] });
export const OrOp = tok('OrOp', 'OR', { pattern: '||', categories: [BinaryOp] });
export const Impl = tok('Impl', 'IMPL', { pattern: '->', categories: [BinaryOp] });
export const Update = tok('Update', 'UPDATE', { pattern: '//', categories: [BinaryOp] });
export const Concat = tok('Concat', 'CONCAT', { pattern: '++', categories: [BinaryOp] });
export const DollarCurly = tok('DollarCurly', 'DOLLAR_CURLY', { pattern: '${', push_mode: EXPR });
export const LCurly = tok('LCurly', "'{'", { pattern: '{', push_mode: EXPR });
export const RCurly = tok('RCurly', "'}'", { pattern: '}', pop_mode: true });
export const Quote = tok('Quote', `'"'`, { pattern: '"', push_mode: STRING });
export const StringEnd = tok('StringEnd', `'"'`, { pattern: '"', pop_mode: true });
export const IndOpen = tok('IndOpen', 'IND_STRING_OPEN', { pattern: /''(?: *\n)?/, line_breaks: true, push_mode: IND });
export const LParen = tok('LParen', "'('", { pattern: '(' });
export const RParen = tok('RParen', "')'", { pattern: ')' });
export const LBracket = tok('LBracket', "'['", { pattern: '[' });
export const RBracket = tok('RBracket', "']'", { pattern: ']' });
export const Semi = tok('Semi', "';'", { pattern: ';' });
export const Colon = tok('Colon', "':'", { pattern: ':' });
export const Comma = tok('Comma', "','", { pattern: ',' });
export const At = tok('At', "'@'", { pattern: '@' });
export const Question = tok('Question', "'?'", { pattern: '?' });
export const Dot = tok('Dot', "'.'", { pattern: '.' });
export const Assign = tok('Assign', "'='", { pattern: '=' });
export const Lt = tok('Lt', "'<'", { pattern: '<', categories: [BinaryOp] });
export const Gt = tok('Gt', "'>'", { pattern: '>', categories: [BinaryOp] });
export const Not = tok('Not', "'!'", { pattern: '!', categories: [PrefixOp] });
export const Plus = tok('Plus', "'+'", { pattern: '+', categories: [BinaryOp] });
export const Minus = tok('Minus', "'-'", { pattern: '-', categories: [BinaryOp, PrefixOp] });
export const Star = tok('Star', "'*'", { pattern: '*', categories: [BinaryOp] });
export const Slash = tok('Slash', "'/'", { pattern: '/', categories: [BinaryOp] });
/** Any other character: the parser reports it as an unexpected token. */
export const Invalid = tok('Invalid', 'invalid token', { pattern: /[\s\S]/, line_breaks: true });

// ---- string mode
/** Text of a "…" string; escapes are processed by the parser. */
export const Str = tok('Str', 'STR', {
  pattern: {
    exec: sticky(/(?:[^$"\\]|\$[^{"\\]|\\[\s\S]|\$\\[\s\S])+(?:\$(?="))?|\$(?=")|\$\\|\$|\\/),
  },
  line_breaks: true,
});

// ---- indented string mode
export const IndClose = tok('IndClose', 'IND_STRING_CLOSE', { pattern: "''", pop_mode: true });
/** Raw text that takes part in indentation stripping. */
export const IndText = tok('IndText', 'IND_STR', {
  pattern: /(?:[^$']|\$[^{']|'[^'$])+/,
  line_breaks: true,
});
/** `''$`, `'''`, `''\x`, a lone `$` or `'`: literal text that ends the leading indentation. */
export const IndEscDollar = tok('IndEscDollar', 'IND_STR', { pattern: "''$" });
export const IndEscQuotes = tok('IndEscQuotes', 'IND_STR', { pattern: "'''" });
export const IndEscAny = tok('IndEscAny', 'IND_STR', { pattern: /''\\[\s\S]/, line_breaks: true });
export const IndDollar = tok('IndDollar', 'IND_STR', { pattern: '$' });
export const IndQuote = tok('IndQuote', 'IND_STR', { pattern: "'" });

// ---- path mode
export const PathStr = tok('PathStr', 'STR', { pattern: /[a-zA-Z0-9._\-+/]+/ });
/** Zero-width: the path literal ends here. Not produced at end of input. */
export const PathEnd = tok('PathEnd', 'PATH_END', {
  pattern: { exec: (text, offset) => (offset < text.length ? [''] as unknown as RegExpExecArray : null) },
  line_breaks: false,
  pop_mode: true,
});

const exprMode = [
  Whitespace, LineComment, BlockComment,
  Path, HPath, Uri, SPath, Float, Int,
  If, Then, Else, Assert, With, Let, Inherit, In, Rec, OrKw, Id,
  Ellipsis, Eq, Neq, Leq, Geq, And, OrOp, Impl, Update, Concat, DollarCurly, IndOpen,
  LCurly, RCurly, Quote, LParen, RParen, LBracket, RBracket, Semi, Colon, Comma, At, Question, Dot,
  Assign, Lt, Gt, Not, Plus, Minus, Star, Slash, Invalid,
];

export const allTokens: TokenType[] = [
  BinaryOp, PrefixOp, ...exprMode, Str, StringEnd, IndClose, IndText, IndEscDollar, IndEscQuotes, IndEscAny, IndDollar,
  IndQuote, PathStr, PathEnd,
];

/**
 * The same token set as a declarative chevrotain Lexer. Parsing uses the faster hand-written
 * scanner in lexer.ts; this reference definition is what that scanner is tested against.
 */
export function createReferenceLexer(): Lexer {
  return new Lexer(
    {
      modes: {
        [EXPR]: exprMode,
        [STRING]: [DollarCurly, Str, StringEnd],
        [IND]: [IndEscQuotes, IndEscDollar, IndEscAny, IndClose, DollarCurly, IndText, IndDollar, IndQuote],
        [PATH]: [DollarCurly, PathStr, PathEnd],
      },
      defaultMode: EXPR,
    },
    {
      positionTracking: 'onlyOffset',
      recoveryEnabled: false,
      ensureOptimizations: false,
      skipValidations: true,
    },
  );
}
