/** Values to JSON as builtins.toJSON and `--json` write them (Nix 2.8 value-to-json.cc). */
import type { Pos } from '@m/lang';
import { compareUtf8 } from '@m/nix-compat';
import { coerceToString } from './coerce';
import { typeError } from './errors';
import { attrPos, callFunction1, force } from './eval';
import { getState } from './state';
import { escapeJsonString, formatJsonFloat } from './pure/json';
import { createTextBuilder, type TextBuilder } from './pure/text-builder';
import { K_ATTRS, K_LAMBDA, K_PATH, K_STRING, K_THUNK, showType, type Lazy, type Thunk } from './value';

/** Writes a JSON string literal; strings without characters that need escaping are copied as they are. */
function jsonString(out: TextBuilder, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      out.add(escapeJsonString(s));
      return;
    }
  }
  out.char(0x22);
  out.add(s);
  out.char(0x22);
}

/**
 * A float as toJSON writes it (%g). Fast path: when |x| is in [1e-4, 1e6) and its shortest
 * round-trip form has at most 6 significant digits, %g with 6 digits yields exactly that form.
 */
export function jsonFloat(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) {
    const s = String(x);
    let digits = 0;
    let leading = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) continue;
      if (leading && c === 0x30) continue;
      leading = false;
      digits++;
    }
    if (digits <= 6) return s;
  }
  return formatJsonFloat(x);
}

/**
 * Serialises a value; string context of everything written is added to `ctx`.
 * When an error aborts the serialisation, `partial` (if given) first receives what Nix's streaming
 * writer would have emitted by then: the text so far with every open list and object closed.
 */
export function valueToJSON(
  v: Lazy,
  strict: boolean,
  ctx: Set<string>,
  pos?: Pos,
  partial?: (text: string) => void,
): string {
  // The text goes into one byte buffer, decoded once at the end: appending to a string (a chain
  // of cons strings) or collecting parts in an array left hundreds of thousands of objects for
  // the garbage collector to copy and promote.
  const out = createTextBuilder();
  /** Closing brackets of the lists and objects being written, innermost last. */
  const open: string[] = [];
  const rec = (x: Lazy, p: Pos | undefined): void => {
    let r;
    if (strict) r = force(x, p);
    else if (typeof x === 'object' && x !== null && !Array.isArray(x) && x.k === K_THUNK) {
      // Like Nix without --strict: a value nobody forced yet cannot be printed.
      r = (x as Thunk).v;
      if (r === undefined) throw typeError('cannot convert a thunk to JSON', p);
    } else r = x;
    if (r === null) {
      out.add('null');
      return;
    }
    switch (typeof r) {
      case 'boolean':
        out.add(r ? 'true' : 'false');
        return;
      case 'bigint':
        out.add(r.toString());
        return;
      case 'number':
        out.add(jsonFloat(r));
        return;
      case 'string':
        jsonString(out, r);
        return;
    }
    if (Array.isArray(r)) {
      out.char(0x5b);
      open.push(']');
      for (let i = 0; i < r.length; i++) {
        if (i > 0) out.char(0x2c);
        rec(r[i], p);
      }
      open.pop();
      out.char(0x5d);
      return;
    }
    switch (r.k) {
      case K_STRING:
        for (const c of r.ctx) ctx.add(c);
        jsonString(out, r.s);
        return;
      case K_PATH: {
        const sp = getState().copyPathToStore(r.path, p);
        ctx.add(sp);
        out.add(escapeJsonString(sp));
        return;
      }
      case K_ATTRS: {
        const map = r.map;
        const toStr = map.get('__toString');
        if (toStr !== undefined) {
          const s = coerceToString(callFunction1(toStr, r, p), p, ctx, false, false);
          out.add(escapeJsonString(s));
          return;
        }
        const outPath = map.get('outPath');
        if (outPath !== undefined) {
          rec(outPath, attrPos(r, 'outPath') ?? p);
          return;
        }
        out.char(0x7b);
        open.push('}');
        const names = sortedNames(map);
        for (let i = 0; i < names.length; i++) {
          const name = names[i];
          if (i > 0) out.char(0x2c);
          jsonString(out, name);
          out.char(0x3a);
          const a = map.get(name)!;
          // Plain scalars need no position (it only serves errors and forcing).
          if (typeof a === 'string') jsonString(out, a);
          else if (typeof a === 'bigint') out.add(a.toString());
          else if (typeof a === 'boolean') out.add(a ? 'true' : 'false');
          else if (a === null) out.add('null');
          else rec(a, attrPos(r, name) ?? p);
        }
        open.pop();
        out.char(0x7d);
        return;
      }
    }
    // A function is reported where it was written (Nix's Value::determinePos).
    throw typeError(`cannot convert ${showType(r)} to JSON`, r.k === K_LAMBDA ? r.fn.pos : p);
  };
  if (partial === undefined) {
    rec(v, pos);
    return out.text();
  }
  try {
    rec(v, pos);
  } catch (e) {
    partial(out.text() + open.reverse().join(''));
    throw e;
  }
  return out.text();
}

/**
 * The names of a set in UTF-8 byte order. Without surrogates (astral characters, escaped bytes)
 * UTF-16 code-unit order is that order, and the built-in comparison is much cheaper than a JS comparator.
 * The sets of one document often share their names (records made by one expression): the last
 * names seen for each set size and their order are kept and reused when the names are the same.
 */
function sortedNames(map: ReadonlyMap<string, Lazy>): readonly string[] {
  const size = map.size;
  const cached = size < SHAPES ? shapes[size] : undefined;
  if (cached !== undefined) {
    const keys = cached.keys;
    let i = 0;
    for (const k of map.keys()) {
      if (k !== keys[i]) break;
      i++;
    }
    if (i === size) return cached.sorted;
  }
  const names = [...map.keys()];
  const sorted = sortNames([...names]);
  if (size < SHAPES) shapes[size] = { keys: names, sorted };
  return sorted;
}

/** Set sizes whose last names are kept by sortedNames. */
const SHAPES = 16;
const shapes: ({ keys: readonly string[]; sorted: readonly string[] } | undefined)[] = [];

function sortNames(names: string[]): string[] {
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    for (let j = 0; j < n.length; j++) {
      const c = n.charCodeAt(j);
      if (c >= 0xd800 && c <= 0xdfff) return names.sort(compareUtf8);
    }
  }
  return names.sort();
}
