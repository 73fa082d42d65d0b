/**
 * Value printing exactly like `nix-instantiate --eval` (Nix 2.8's Value::print): sorted
 * attributes, `<CODE>` for unevaluated thunks, `«repeated»` for a non-empty set or list that
 * was already printed.
 */
import { forceDeep } from './eval';
import { compareUtf8 } from '@m/nix-compat';
import { formatFloat } from './format-float';
import { showId } from './show-expr';
import { K_ATTRS, K_LAMBDA, K_PATH, K_PRIMOP, K_PRIMOP_APP, K_STRING, K_THUNK, type Lazy, type Thunk } from './value';

/** A string literal as Nix prints values: `"`, `\`, newline, CR, tab and `${` escaped. */
export function printString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 34) esc = '\\"';
    else if (c === 92) esc = '\\\\';
    else if (c === 10) esc = '\\n';
    else if (c === 13) esc = '\\r';
    else if (c === 9) esc = '\\t';
    else if (c === 36 && s.charCodeAt(i + 1) === 123) esc = '\\$';
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** Byte order of names, as Nix's std::string comparisons. */
const byName = compareUtf8;

/** Prints a value; `strict` forces it deeply first (like `--strict`). */
export function printValue(v: Lazy, opts: { strict: boolean } = { strict: false }): string {
  if (opts.strict) forceDeep(v);
  const seen = new Set<object>();
  const parts: string[] = [];
  const rec = (x: Lazy): void => {
    if (typeof x === 'object' && x !== null && !Array.isArray(x) && x.k === K_THUNK) {
      const t = x as Thunk;
      if (t.v === undefined) {
        parts.push('<CODE>');
        return;
      }
      x = t.v;
    }
    if (x === null) {
      parts.push('null');
      return;
    }
    switch (typeof x) {
      case 'boolean':
        parts.push(x ? 'true' : 'false');
        return;
      case 'bigint':
        parts.push(x.toString());
        return;
      case 'number':
        parts.push(formatFloat(x));
        return;
      case 'string':
        parts.push(printString(x));
        return;
    }
    if (Array.isArray(x)) {
      if (x.length > 0) {
        if (seen.has(x)) {
          parts.push('«repeated»');
          return;
        }
        seen.add(x);
      }
      parts.push('[ ');
      for (let i = 0; i < x.length; i++) {
        rec(x[i]);
        parts.push(' ');
      }
      parts.push(']');
      return;
    }
    switch (x.k) {
      case K_STRING:
        parts.push(printString(x.s));
        return;
      case K_PATH:
        parts.push(x.path);
        return;
      case K_ATTRS: {
        if (x.map.size > 0) {
          if (seen.has(x)) {
            parts.push('«repeated»');
            return;
          }
          seen.add(x);
        }
        parts.push('{ ');
        for (const name of [...x.map.keys()].sort(byName)) {
          parts.push(showId(name), ' = ');
          rec(x.map.get(name)!);
          parts.push('; ');
        }
        parts.push('}');
        return;
      }
      case K_LAMBDA:
        parts.push('<LAMBDA>');
        return;
      case K_PRIMOP:
        parts.push('<PRIMOP>');
        return;
      case K_PRIMOP_APP:
        parts.push('<PRIMOP-APP>');
        return;
    }
  };
  rec(v);
  return parts.join('');
}
