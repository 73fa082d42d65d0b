/**
 * builtins.fromTOML (Nix 2.8 uses toml11, TOML 1.0).
 *
 * Result: tables → null-prototype objects, integers → bigint (out-of-range integers saturate to
 * the int64 limits as toml11 does), floats → number (nan/inf included), strings, booleans, arrays
 * (mixed types allowed). Dates and times parse but are rejected afterwards, as in Nix:
 * "while parsing a TOML string: Dates and times are not supported".
 * Syntax errors are MError EVAL_ERROR "while parsing a TOML string: [error] toml::…: …"; the
 * first line follows toml11's wording where known, but toml11's source excerpt is not reproduced.
 */
import { MError } from '@m/core';

export type TomlValue = boolean | string | bigint | number | TomlValue[] | { [k: string]: TomlValue };

const DATETIME = Symbol('datetime');
type Leaf = boolean | string | bigint | number | typeof DATETIME;

interface TTable {
  kind: 'table';
  entries: Map<string, TNode>;
  /** how the table came to exist: header [x], implicitly (super-table / dotted key), or inline */
  origin: 'header' | 'implicit' | 'dotted' | 'inline';
}
interface TArray {
  kind: 'array';
  items: TNode[];
  /** an array of tables created with [[x]] (extendable) vs a static array value */
  tables: boolean;
}
interface TLeaf {
  kind: 'leaf';
  v: Leaf;
}
type TNode = TTable | TArray | TLeaf;

const newTable = (origin: TTable['origin']): TTable => ({ kind: 'table', entries: new Map(), origin });

class TomlFail {
  constructor(readonly message: string) {}
}

function fail(where: string, msg: string): never {
  throw new TomlFail(`[error] toml::${where}: ${msg}`);
}

function nanWithSign(negative: boolean): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, negative ? 0xfff80000 : 0x7ff80000);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function parseDocument(src: string): TTable {
  const root = newTable('header');
  let pos = 0;
  let current = root;

  const peek = (k = 0) => src[pos + k] ?? '';
  const eof = () => pos >= src.length;
  const startsWith = (s: string) => src.startsWith(s, pos);

  const skipWs = () => {
    while (peek() === ' ' || peek() === '\t') pos++;
  };
  const skipComment = () => {
    if (peek() === '#') {
      while (!eof() && peek() !== '\n' && !(peek() === '\r' && peek(1) === '\n')) {
        const c = src.charCodeAt(pos);
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) fail('parse_comment', 'control character in comment');
        pos++;
      }
    }
  };
  const atNewline = () => peek() === '\n' || (peek() === '\r' && peek(1) === '\n');
  const eatNewline = () => {
    if (peek() === '\n') pos++;
    else if (peek() === '\r' && peek(1) === '\n') pos += 2;
    else return false;
    return true;
  };
  /** whitespace, comments and newlines inside arrays */
  const skipWsCommentsNewlines = () => {
    for (;;) {
      skipWs();
      skipComment();
      if (!eatNewline()) return;
    }
  };

  const isBare = (c: string) => /^[A-Za-z0-9_-]$/.test(c);

  const parseSimpleKey = (where: string): string => {
    const c = peek();
    if (c === '"') {
      if (startsWith('"""')) fail(where, 'multi-line string cannot be used as a key');
      return parseBasicString();
    }
    if (c === "'") {
      if (startsWith("'''")) fail(where, 'multi-line string cannot be used as a key');
      return parseLiteralString();
    }
    const start = pos;
    while (isBare(peek())) pos++;
    if (pos === start) fail(where, 'the next token is not a key');
    return src.slice(start, pos);
  };

  const parseKey = (where: string): string[] => {
    const keys = [parseSimpleKey(where)];
    for (;;) {
      const save = pos;
      skipWs();
      if (peek() === '.') {
        pos++;
        skipWs();
        keys.push(parseSimpleKey(where));
      } else {
        pos = save;
        return keys;
      }
    }
  };

  const hex = (n: number): number => {
    const h = src.slice(pos, pos + n);
    if (h.length !== n || !/^[0-9A-Fa-f]+$/.test(h)) fail('parse_escape_sequence', 'invalid escape sequence');
    pos += n;
    const cp = parseInt(h, 16);
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      fail('read_utf8_codepoint', 'input codepoint is too large or in the surrogate range');
    }
    return cp;
  };

  const parseEscape = (): string => {
    pos++; // backslash
    const e = peek();
    pos++;
    switch (e) {
      case '"': return '"';
      case '\\': return '\\';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': return String.fromCodePoint(hex(4));
      case 'U': return String.fromCodePoint(hex(8));
      default:
        return fail('parse_escape_sequence', 'unknown escape sequence appeared.');
    }
  };

  const checkChar = (c: string, multiline: boolean, where: string) => {
    const code = c.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09 && !(multiline && (code === 0x0a || code === 0x0d))) || code === 0x7f) {
      fail(where, 'control character in string');
    }
  };

  const parseBasicString = (): string => {
    pos++;
    let out = '';
    for (;;) {
      if (eof() || atNewline()) fail('parse_basic_string', 'the next token is not a valid string');
      const c = peek();
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\\') out += parseEscape();
      else {
        checkChar(c, false, 'parse_basic_string');
        out += c;
        pos++;
      }
    }
  };

  const parseLiteralString = (): string => {
    pos++;
    const start = pos;
    for (;;) {
      if (eof() || atNewline()) fail('parse_literal_string', 'the next token is not a valid string');
      const c = peek();
      if (c === "'") {
        const s = src.slice(start, pos);
        pos++;
        return s;
      }
      checkChar(c, false, 'parse_literal_string');
      pos++;
    }
  };

  const parseMlBasicString = (): string => {
    pos += 3;
    eatNewline();
    let out = '';
    for (;;) {
      if (eof()) fail('parse_ml_basic_string', 'the next token is not a valid multiline string');
      if (startsWith('"""')) {
        // up to two extra quotes may precede the closing delimiter
        let n = 3;
        while (src[pos + n] === '"' && n < 5) n++;
        out += '"'.repeat(n - 3);
        pos += n;
        return out;
      }
      const c = peek();
      if (c === '\\') {
        // line-ending backslash: trim whitespace and newlines
        let k = pos + 1;
        while (src[k] === ' ' || src[k] === '\t') k++;
        if (src[k] === '\n' || (src[k] === '\r' && src[k + 1] === '\n')) {
          pos = k;
          while (peek() === ' ' || peek() === '\t' || atNewline()) {
            if (!eatNewline()) pos++;
          }
          continue;
        }
        out += parseEscape();
        continue;
      }
      if (c === '\r') {
        if (peek(1) !== '\n') fail('parse_ml_basic_string', 'control character in string');
        out += '\r\n';
        pos += 2;
        continue;
      }
      checkChar(c, true, 'parse_ml_basic_string');
      out += c;
      pos++;
    }
  };

  const parseMlLiteralString = (): string => {
    pos += 3;
    eatNewline();
    const start = pos;
    for (;;) {
      if (eof()) fail('parse_ml_literal_string', 'the next token is not a valid multiline literal string');
      if (startsWith("'''")) {
        let n = 3;
        while (src[pos + n] === "'" && n < 5) n++;
        const s = src.slice(start, pos) + "'".repeat(n - 3);
        pos += n;
        return s;
      }
      const c = peek();
      if (c === '\r' && peek(1) !== '\n') fail('parse_ml_literal_string', 'control character in string');
      checkChar(c, true, 'parse_ml_literal_string');
      pos++;
    }
  };

  const DATE_RE = /^\d{4}-\d{2}-\d{2}/;
  const TIME_RE = /^\d{2}:\d{2}:\d{2}(\.\d+)?/;

  const parseDateTimeOrNumber = (): Leaf => {
    const rest = src.slice(pos);
    const d = DATE_RE.exec(rest);
    if (d) {
      let len = d[0].length;
      const after = rest.slice(len);
      const sep = after[0];
      if ((sep === 'T' || sep === 't' || (sep === ' ' && TIME_RE.test(after.slice(1)))) && TIME_RE.test(after.slice(1))) {
        const t = TIME_RE.exec(after.slice(1))!;
        len += 1 + t[0].length;
        const off = /^(?:[Zz]|[+-]\d{2}:\d{2})/.exec(rest.slice(len));
        if (off) len += off[0].length;
      }
      pos += len;
      return DATETIME;
    }
    const t = TIME_RE.exec(rest);
    if (t) {
      pos += t[0].length;
      return DATETIME;
    }
    return parseNumber();
  };

  const parseNumber = (): Leaf => {
    const rest = src.slice(pos);
    let m: RegExpExecArray | null;
    if ((m = /^([+-])?(inf|nan)/.exec(rest))) {
      pos += m[0].length;
      const neg = m[1] === '-';
      return m[2] === 'inf' ? (neg ? -Infinity : Infinity) : nanWithSign(neg);
    }
    if ((m = /^0x([0-9A-Fa-f](?:_?[0-9A-Fa-f])*)/.exec(rest))) {
      pos += m[0].length;
      return clampInt(BigInt('0x' + m[1].replace(/_/g, '')));
    }
    if ((m = /^0o([0-7](?:_?[0-7])*)/.exec(rest))) {
      pos += m[0].length;
      return clampInt(BigInt('0o' + m[1].replace(/_/g, '')));
    }
    if ((m = /^0b([01](?:_?[01])*)/.exec(rest))) {
      pos += m[0].length;
      return clampInt(BigInt('0b' + m[1].replace(/_/g, '')));
    }
    const dec = /^[+-]?(?:0|[1-9](?:_?[0-9])*)/.exec(rest);
    if (!dec) fail('parse_value', 'unknown token appeared');
    let len = dec![0].length;
    let isFloat = false;
    const frac = /^\.[0-9](?:_?[0-9])*/.exec(rest.slice(len));
    if (frac) {
      len += frac[0].length;
      isFloat = true;
    }
    const exp = /^[eE][+-]?[0-9](?:_?[0-9])*/.exec(rest.slice(len));
    if (exp) {
      len += exp[0].length;
      isFloat = true;
    }
    const next = rest[len] ?? '';
    if (/[0-9A-Za-z_.]/.test(next)) fail('parse_value', 'unknown token appeared');
    const text = rest.slice(0, len).replace(/_/g, '');
    pos += len;
    if (isFloat) return Number(text);
    return clampInt(BigInt(text));
  };

  const clampInt = (v: bigint): bigint => (v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v);

  const parseArray = (): TArray => {
    pos++;
    const arr: TArray = { kind: 'array', items: [], tables: false };
    for (;;) {
      skipWsCommentsNewlines();
      if (peek() === ']') {
        pos++;
        return arr;
      }
      if (eof()) fail('parse_array', 'missing array separator `,` or closing bracket `]`');
      arr.items.push(parseValue());
      skipWsCommentsNewlines();
      if (peek() === ',') {
        pos++;
        continue;
      }
      if (peek() === ']') {
        pos++;
        return arr;
      }
      fail('parse_array', 'missing array separator `,` or closing bracket `]`');
    }
  };

  const parseInlineTable = (): TTable => {
    pos++;
    const table = newTable('inline');
    skipWs();
    if (peek() === '}') {
      pos++;
      return table;
    }
    for (;;) {
      skipWs();
      const keys = parseKey('parse_inline_table');
      skipWs();
      if (peek() !== '=') fail('parse_key_value_pair', 'missing key-value separator `=`');
      pos++;
      skipWs();
      const v = parseValue();
      insertDotted(table, keys, v);
      skipWs();
      if (peek() === ',') {
        pos++;
        continue;
      }
      if (peek() === '}') {
        pos++;
        // inline tables are sealed, including their dotted sub-tables
        seal(table);
        return table;
      }
      fail('parse_inline_table', 'missing curly brace `}`');
    }
  };

  const seal = (t: TTable) => {
    t.origin = 'inline';
    for (const v of t.entries.values()) if (v.kind === 'table') seal(v);
  };

  const parseValue = (): TNode => {
    if (eof() || atNewline() || peek() === '#') fail('parse_key_value_pair', 'missing value after key-value separator \'=\'');
    const c = peek();
    if (startsWith('"""')) return { kind: 'leaf', v: parseMlBasicString() };
    if (startsWith("'''")) return { kind: 'leaf', v: parseMlLiteralString() };
    if (c === '"') return { kind: 'leaf', v: parseBasicString() };
    if (c === "'") return { kind: 'leaf', v: parseLiteralString() };
    if (c === '[') return parseArray();
    if (c === '{') return parseInlineTable();
    if (startsWith('true') && !isBare(peek(4))) {
      pos += 4;
      return { kind: 'leaf', v: true };
    }
    if (startsWith('false') && !isBare(peek(5))) {
      pos += 5;
      return { kind: 'leaf', v: false };
    }
    return { kind: 'leaf', v: parseDateTimeOrNumber() };
  };

  const alreadyExists = (k: string): never => fail('insert_value', `value ("${k}") already exists.`);

  /** Insert `value` at dotted key path below `table` (a key/value line or inline-table entry). */
  const insertDotted = (table: TTable, keys: string[], value: TNode) => {
    let t = table;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i];
      const ex = t.entries.get(k);
      if (!ex) {
        const n = newTable('dotted');
        t.entries.set(k, n);
        t = n;
      } else if (ex.kind === 'table' && (ex.origin === 'dotted' || (ex.origin === 'implicit' && t === table))) {
        if (ex.origin === 'implicit') ex.origin = 'dotted';
        t = ex;
      } else alreadyExists(k);
    }
    const last = keys[keys.length - 1];
    if (t.entries.has(last)) alreadyExists(last);
    t.entries.set(last, value);
  };

  const parseTableHeader = (array: boolean) => {
    pos += array ? 2 : 1;
    skipWs();
    const keys = parseKey('parse_table_key');
    skipWs();
    if (array) {
      if (!startsWith(']]')) fail('parse_array_table_key', 'no `]]`');
      pos += 2;
    } else {
      if (peek() !== ']') fail('parse_table_key', 'no `]`');
      pos++;
    }
    let t = root;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i];
      const ex = t.entries.get(k);
      if (!ex) {
        const n = newTable('implicit');
        t.entries.set(k, n);
        t = n;
      } else if (ex.kind === 'table' && ex.origin !== 'inline') t = ex;
      else if (ex.kind === 'array' && ex.tables) t = ex.items[ex.items.length - 1] as TTable;
      else alreadyExists(k);
    }
    const last = keys[keys.length - 1];
    const ex = t.entries.get(last);
    if (array) {
      const n = newTable('header');
      if (!ex) t.entries.set(last, { kind: 'array', items: [n], tables: true });
      else if (ex.kind === 'array' && ex.tables) ex.items.push(n);
      else alreadyExists(last);
      current = n;
    } else {
      if (!ex) {
        const n = newTable('header');
        t.entries.set(last, n);
        current = n;
      } else if (ex.kind === 'table' && ex.origin === 'implicit') {
        ex.origin = 'header';
        current = ex;
      } else alreadyExists(last);
    }
  };

  // a leading byte order mark is ignored
  if (src.charCodeAt(0) === 0xfeff) pos = 1;
  while (!eof()) {
    skipWs();
    skipComment();
    if (eatNewline()) continue;
    if (eof()) break;
    if (startsWith('[[')) parseTableHeader(true);
    else if (peek() === '[') parseTableHeader(false);
    else {
      const keys = parseKey('parse_key_value_pair');
      skipWs();
      if (peek() !== '=') fail('parse_key_value_pair', 'missing key-value separator `=`');
      pos++;
      skipWs();
      const v = parseValue();
      insertDotted(current, keys, v);
    }
    skipWs();
    skipComment();
    if (!eof() && !eatNewline()) fail('parse_toml_file', 'expected newline, but got something else');
  }
  return root;
}

function toPlain(n: TNode): TomlValue {
  if (n.kind === 'leaf') {
    if (n.v === DATETIME) throw new TomlFail('Dates and times are not supported');
    return n.v;
  }
  if (n.kind === 'array') return n.items.map(toPlain);
  const out: { [k: string]: TomlValue } = Object.create(null);
  for (const [k, v] of n.entries) out[k] = toPlain(v);
  return out;
}

/** builtins.fromTOML. */
export function parseToml(text: string): { [k: string]: TomlValue } {
  try {
    return toPlain(parseDocument(text)) as { [k: string]: TomlValue };
  } catch (e) {
    if (e instanceof TomlFail) throw new MError('EVAL_ERROR', `while parsing a TOML string: ${e.message}`);
    throw e;
  }
}
