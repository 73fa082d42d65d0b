/**
 * builtins.fromJSON's fast path: reads the common JSON documents straight from the JS string into
 * Nix values (sets as Maps, lists as arrays, integers as bigint), without the byte-wise lexer of
 * json.ts and its intermediate objects. It accepts only input whose value is certain to be what
 * json.ts would produce: ASCII structure, strings without `\u` escapes, control characters or
 * surrogates (lone ones are escaped bytes), integers of at most 18 digits and finite floats, no
 * byte order mark. On anything else, including every syntax error, it returns `undefined` and the
 * caller runs json.ts, which gives Nix's value or its exact error message.
 */

const FAIL: unique symbol = Symbol('json-fast-fail');

/** The value of `text`, objects made sets by `mkSet`; undefined when json.ts must decide. */
export function parseJsonFast(text: string, mkSet: (map: Map<string, unknown>) => unknown): unknown {
  const n = text.length;
  let i = 0;

  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };

  /** A string token starting after its opening quote; FAIL for anything json.ts would treat specially. */
  const str = (): string | typeof FAIL => {
    const start = i;
    let out: string | undefined;
    let from = start;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const s = out === undefined ? text.slice(start, i) : out + text.slice(from, i);
        i++;
        return s;
      }
      if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) return FAIL;
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        let r: string;
        switch (e) {
          case 0x22: r = '"'; break;
          case 0x5c: r = '\\'; break;
          case 0x2f: r = '/'; break;
          case 0x62: r = '\b'; break;
          case 0x66: r = '\f'; break;
          case 0x6e: r = '\n'; break;
          case 0x72: r = '\r'; break;
          case 0x74: r = '\t'; break;
          default: return FAIL;
        }
        out = (out ?? '') + text.slice(from, i) + r;
        i += 2;
        from = i;
        continue;
      }
      i++;
    }
    return FAIL;
  };

  /**
   * An object key: the objects of one document mostly repeat their keys, so the last key seen
   * with the same first character and length is reused when the text matches it (no new string).
   */
  const keys = new Map<number, string>();
  const key = (): string | typeof FAIL => {
    const start = i;
    let end = start;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 0x22 || c === 0x5c || c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) break;
      end++;
    }
    if (end === n || text.charCodeAt(end) !== 0x22) return str();
    const slot = (end - start) * 0x10000 + text.charCodeAt(start);
    const known = keys.get(slot);
    if (known !== undefined && text.startsWith(known, start)) {
      i = end + 1;
      return known;
    }
    const k = text.slice(start, end);
    keys.set(slot, k);
    i = end + 1;
    return k;
  };

  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

  const num = (): bigint | number | typeof FAIL => {
    const start = i;
    let float = false;
    if (text.charCodeAt(i) === 0x2d) i++;
    const d0 = i;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (isDigit(first)) while (isDigit(text.charCodeAt(i))) i++;
    else return FAIL;
    const intDigits = i - d0;
    if (text.charCodeAt(i) === 0x2e) {
      float = true;
      i++;
      if (!isDigit(text.charCodeAt(i))) return FAIL;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      float = true;
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) return FAIL;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    if (!float) {
      if (intDigits > 18) return FAIL; // json.ts decides between int, wrapped uint and float
      if (intDigits > 15) return BigInt(text.slice(start, i));
      let v = 0;
      for (let j = d0; j < i; j++) v = v * 10 + (text.charCodeAt(j) - 0x30);
      return BigInt(d0 === start ? v : -v);
    }
    const f = Number(text.slice(start, i));
    return Number.isFinite(f) ? f : FAIL;
  };

  const value = (): unknown => {
    ws();
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x22:
        i++;
        return str();
      case 0x7b: {
        i++;
        const map = new Map<string, unknown>();
        ws();
        if (text.charCodeAt(i) === 0x7d) {
          i++;
          return mkSet(map);
        }
        for (;;) {
          ws();
          if (text.charCodeAt(i) !== 0x22) return FAIL;
          i++;
          const k = key();
          if (k === FAIL) return FAIL;
          ws();
          if (text.charCodeAt(i) !== 0x3a) return FAIL;
          i++;
          const v = value();
          if (v === FAIL) return FAIL;
          map.set(k, v);
          ws();
          const d = text.charCodeAt(i++);
          if (d === 0x2c) continue;
          if (d === 0x7d) return mkSet(map);
          return FAIL;
        }
      }
      case 0x5b: {
        i++;
        const arr: unknown[] = [];
        ws();
        if (text.charCodeAt(i) === 0x5d) {
          i++;
          return arr;
        }
        for (;;) {
          const v = value();
          if (v === FAIL) return FAIL;
          arr.push(v);
          ws();
          const d = text.charCodeAt(i++);
          if (d === 0x2c) continue;
          if (d === 0x5d) return arr;
          return FAIL;
        }
      }
      case 0x74:
        if (text.startsWith('true', i)) {
          i += 4;
          return true;
        }
        return FAIL;
      case 0x66:
        if (text.startsWith('false', i)) {
          i += 5;
          return false;
        }
        return FAIL;
      case 0x6e:
        if (text.startsWith('null', i)) {
          i += 4;
          return null;
        }
        return FAIL;
      default:
        return num();
    }
  };

  const v = value();
  if (v === FAIL) return undefined;
  ws();
  return i === n ? v : undefined;
}
