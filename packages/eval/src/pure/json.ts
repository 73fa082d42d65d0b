/**
 * JSON as Nix 2.8 reads (builtins.fromJSON, via nlohmann::json's SAX parser) and writes it
 * (builtins.toJSON, --json).
 *
 * Parsed values: null, boolean, string, bigint (integers; values in [2^63, 2^64) wrap to negative
 * as Nix does), number (floats, and integers too large for 64 bits), arrays, and null-prototype
 * objects (duplicate keys: last one wins). Errors are MError EVAL_ERROR carrying nlohmann's
 * message, e.g. "[json.exception.parse_error.101] parse error at line 1, column 4: …".
 */
import { MError } from '@m/core';
import { fromUtf8, utf8 } from '@m/nix-compat';
import { formatFloat } from './float';

export type JsonValue = null | boolean | string | bigint | number | JsonValue[] | { [k: string]: JsonValue };

type TokType =
  | 'true' | 'false' | 'null' | 'string' | 'uint' | 'int' | 'float'
  | '[' | '{' | ']' | '}' | ':' | ',' | 'error' | 'eof';

const TOKEN_NAMES: Record<TokType | 'value', string> = {
  true: 'true literal',
  false: 'false literal',
  null: 'null literal',
  string: 'string literal',
  uint: 'number literal',
  int: 'number literal',
  float: 'number literal',
  '[': "'['",
  '{': "'{'",
  ']': "']'",
  '}': "'}'",
  ':': "':'",
  ',': "','",
  error: '<parse error>',
  eof: 'end of input',
  value: "'[', '{', or a literal",
};

const CONTROL_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO',
  'SI', 'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS',
  'RS', 'US',
];
const CONTROL_SHORT: Record<number, string> = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r' };

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

function createLexer(input: Uint8Array) {
  let pos = 0;
  let current = -1; // -1 = EOF
  let nextUnget = false;
  let charsRead = 0;
  let col = 0;
  let lines = 0;
  let tokenBytes: number[] = [];
  let errorMessage = '';
  let value: string | bigint | number = '';

  const get = (): number => {
    charsRead++;
    col++;
    if (nextUnget) nextUnget = false;
    else current = pos < input.length ? input[pos++] : -1;
    if (current !== -1) tokenBytes.push(current);
    if (current === 0x0a) {
      lines++;
      col = 0;
    }
    return current;
  };
  const unget = () => {
    nextUnget = true;
    charsRead--;
    if (col === 0) {
      if (lines > 0) lines--;
    } else col--;
    if (current !== -1) tokenBytes.pop();
  };

  const fail = (msg: string): TokType => {
    errorMessage = msg;
    return 'error';
  };

  const scanLiteral = (word: string, t: TokType): TokType => {
    for (let k = 1; k < word.length; k++) {
      if (get() !== word.charCodeAt(k)) return fail('invalid literal');
    }
    return t;
  };

  const getCodepoint = (): number => {
    let cp = 0;
    for (let k = 0; k < 4; k++) {
      const c = get();
      let v: number;
      if (c >= 0x30 && c <= 0x39) v = c - 0x30;
      else if (c >= 0x41 && c <= 0x46) v = c - 0x37;
      else if (c >= 0x61 && c <= 0x66) v = c - 0x57;
      else return -1;
      cp = cp * 16 + v;
    }
    return cp;
  };

  const scanString = (): TokType => {
    const out: number[] = [];
    const pushCp = (cp: number) => {
      const b = Buffer.from(String.fromCodePoint(cp), 'utf8');
      for (const x of b) out.push(x);
    };
    const inRange = (lo: number, hi: number) => {
      const c = get();
      return c >= lo && c <= hi;
    };
    for (;;) {
      const c = get();
      if (c === -1) return fail('invalid string: missing closing quote');
      if (c === 0x22) {
        // Nix strings are C strings: an escaped NUL ends the value
        const nul = out.indexOf(0);
        value = fromUtf8(Uint8Array.from(nul >= 0 ? out.slice(0, nul) : out));
        return 'string';
      }
      if (c === 0x5c) {
        const e = get();
        switch (e) {
          case 0x22: out.push(0x22); break;
          case 0x5c: out.push(0x5c); break;
          case 0x2f: out.push(0x2f); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x75: {
            const cp1 = getCodepoint();
            if (cp1 === -1) return fail("invalid string: '\\u' must be followed by 4 hex digits");
            let cp = cp1;
            if (cp1 >= 0xd800 && cp1 <= 0xdbff) {
              if (get() === 0x5c && get() === 0x75) {
                const cp2 = getCodepoint();
                if (cp2 === -1) return fail("invalid string: '\\u' must be followed by 4 hex digits");
                if (cp2 >= 0xdc00 && cp2 <= 0xdfff) cp = 0x10000 + ((cp1 - 0xd800) << 10) + (cp2 - 0xdc00);
                else return fail('invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF');
              } else {
                return fail('invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF');
              }
            } else if (cp1 >= 0xdc00 && cp1 <= 0xdfff) {
              return fail('invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF');
            }
            pushCp(cp);
            break;
          }
          default:
            return fail('invalid string: forbidden character after backslash');
        }
        continue;
      }
      if (c < 0x20) {
        const short = CONTROL_SHORT[c];
        return fail(
          `invalid string: control character U+${hex4(c)} (${CONTROL_NAMES[c]}) must be escaped to \\u${hex4(c)}${short ? ` or \\${short}` : ''}`,
        );
      }
      if (c < 0x80) {
        out.push(c);
        continue;
      }
      // UTF-8 validation as in RFC 3629
      const ill = () => fail('invalid string: ill-formed UTF-8 byte');
      out.push(c);
      const cont = (lo = 0x80, hi = 0xbf): boolean => {
        const ok = inRange(lo, hi);
        if (ok) out.push(current);
        return ok;
      };
      if (c >= 0xc2 && c <= 0xdf) {
        if (!cont()) return ill();
      } else if (c === 0xe0) {
        if (!cont(0xa0, 0xbf) || !cont()) return ill();
      } else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) {
        if (!cont() || !cont()) return ill();
      } else if (c === 0xed) {
        if (!cont(0x80, 0x9f) || !cont()) return ill();
      } else if (c === 0xf0) {
        if (!cont(0x90, 0xbf) || !cont() || !cont()) return ill();
      } else if (c >= 0xf1 && c <= 0xf3) {
        if (!cont() || !cont() || !cont()) return ill();
      } else if (c === 0xf4) {
        if (!cont(0x80, 0x8f) || !cont() || !cont()) return ill();
      } else return ill();
    }
  };

  const isDigitB = (c: number) => c >= 0x30 && c <= 0x39;

  const scanNumber = (): TokType => {
    // tokenBytes already holds the first character
    let type: TokType = 'uint';
    let c = current;
    if (c === 0x2d) {
      type = 'int';
      c = get();
      if (!isDigitB(c)) return fail("invalid number; expected digit after '-'");
    }
    if (c === 0x30) {
      c = get();
    } else {
      do c = get();
      while (isDigitB(c));
    }
    if (c === 0x2e) {
      type = 'float';
      c = get();
      if (!isDigitB(c)) return fail("invalid number; expected digit after '.'");
      do c = get();
      while (isDigitB(c));
    }
    if (c === 0x65 || c === 0x45) {
      type = 'float';
      c = get();
      if (c === 0x2b || c === 0x2d) {
        c = get();
        if (!isDigitB(c)) return fail("invalid number; expected digit after exponent sign");
      } else if (!isDigitB(c)) {
        return fail("invalid number; expected '+', '-', or digit after exponent");
      }
      do c = get();
      while (isDigitB(c));
    }
    unget();
    const text = Buffer.from(tokenBytes).toString('latin1');
    if (type === 'uint') {
      const v = BigInt(text);
      if (v <= 0xffffffffffffffffn) {
        value = BigInt.asIntN(64, v);
        return 'uint';
      }
    } else if (type === 'int') {
      const v = BigInt(text);
      if (v >= -(1n << 63n)) {
        value = v;
        return 'int';
      }
    }
    const f = Number(text);
    value = f;
    if (!Number.isFinite(f)) {
      throw new MError('EVAL_ERROR', `[json.exception.out_of_range.406] number overflow parsing '${text}'`);
    }
    return 'float';
  };

  const scan = (): TokType => {
    if (charsRead === 0) {
      // byte order mark
      if (get() === 0xef) {
        if (get() !== 0xbb || get() !== 0xbf) return fail('invalid BOM; must be 0xEF 0xBB 0xBF if given');
      } else unget();
    }
    do get();
    while (current === 0x20 || current === 0x09 || current === 0x0a || current === 0x0d);
    switch (current) {
      case 0x5b: return '[';
      case 0x5d: return ']';
      case 0x7b: return '{';
      case 0x7d: return '}';
      case 0x3a: return ':';
      case 0x2c: return ',';
      case 0x74: return scanLiteral('true', 'true');
      case 0x66: return scanLiteral('false', 'false');
      case 0x6e: return scanLiteral('null', 'null');
      case 0x22:
        tokenBytes = [current];
        return scanString();
      case -1: return 'eof';
      default:
        if (current === 0x2d || isDigitB(current)) {
          tokenBytes = [current];
          return scanNumber();
        }
        return fail('invalid literal');
    }
  };

  const tokenString = (): string => {
    let s = '';
    for (const b of tokenBytes) s += b <= 0x1f ? `<U+${hex4(b)}>` : String.fromCharCode(b);
    return fromUtf8(Buffer.from(s, 'latin1'));
  };

  return {
    scan,
    value: () => value,
    position: () => ({ line: lines + 1, column: col }),
    errorMessage: () => errorMessage,
    tokenString,
  };
}

/** builtins.fromJSON. */
export function parseJson(text: string): JsonValue {
  const lx = createLexer(utf8(text));
  let tok: TokType = lx.scan();

  const error = (expected: TokType | 'value' | undefined, context: string): never => {
    let msg = `syntax error while parsing ${context} - `;
    if (tok === 'error') msg += `${lx.errorMessage()}; last read: '${lx.tokenString()}'`;
    else msg += `unexpected ${TOKEN_NAMES[tok]}`;
    if (expected !== undefined) msg += `; expected ${TOKEN_NAMES[expected]}`;
    const { line, column } = lx.position();
    throw new MError('EVAL_ERROR', `[json.exception.parse_error.101] parse error at line ${line}, column ${column}: ${msg}`);
  };

  const parseValue = (): JsonValue => {
    switch (tok) {
      case 'null':
        tok = lx.scan();
        return null;
      case 'true':
        tok = lx.scan();
        return true;
      case 'false':
        tok = lx.scan();
        return false;
      case 'string':
      case 'uint':
      case 'int':
      case 'float': {
        const v = lx.value();
        tok = lx.scan();
        return v;
      }
      case '[': {
        const arr: JsonValue[] = [];
        tok = lx.scan();
        if (tok === ']') {
          tok = lx.scan();
          return arr;
        }
        for (;;) {
          arr.push(parseValue());
          if (tok === ',') {
            tok = lx.scan();
            continue;
          }
          if (tok === ']') {
            tok = lx.scan();
            return arr;
          }
          return error(']', 'array');
        }
      }
      case '{': {
        const obj: { [k: string]: JsonValue } = Object.create(null);
        tok = lx.scan();
        if (tok === '}') {
          tok = lx.scan();
          return obj;
        }
        for (;;) {
          if (tok !== 'string') return error('string', 'object key');
          const key = lx.value() as string;
          tok = lx.scan();
          if (tok !== ':') return error(':', 'object separator');
          tok = lx.scan();
          obj[key] = parseValue();
          if (tok === ',') {
            tok = lx.scan();
            continue;
          }
          if (tok === '}') {
            tok = lx.scan();
            return obj;
          }
          return error('}', 'object');
        }
      }
      case 'error':
        return error(undefined, 'value');
      default:
        return error('value', 'value');
    }
  };

  const v = parseValue();
  if (tok !== 'eof') error('eof', 'value');
  return v;
}

/** A string as builtins.toJSON writes it. */
export function escapeJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** A float as builtins.toJSON writes it (C++ ostream default: %g, 6 significant digits). */
export function formatJsonFloat(x: number): string {
  return formatFloat(x);
}
