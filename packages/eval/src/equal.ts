/** `==` with Nix 2.8 semantics. */
import { evalError } from './errors';
import { compareUtf8 } from '@m/nix-compat';
import { force } from './eval';
import { K_ATTRS, K_PATH, K_STRING, isFunction, showType, type Lazy, type NixAttrs, type Value } from './value';

/** True for a set whose `type` attribute is the string "derivation". */
export function isDerivation(v: Value): v is NixAttrs {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v.k !== K_ATTRS) return false;
  const t = v.map.get('type');
  if (t === undefined) return false;
  const tv = force(t);
  if (typeof tv === 'string') return tv === 'derivation';
  return typeof tv === 'object' && tv !== null && !Array.isArray(tv) && tv.k === K_STRING && tv.s === 'derivation';
}

/**
 * Deep equality. Identical slots are equal without forcing (Nix compares Value pointers first,
 * so `[f] == [f]` holds for a function `f`); ints and floats compare numerically; derivations
 * compare by outPath; functions are never equal.
 */
export function eqValues(a: Lazy, b: Lazy): boolean {
  const v1 = force(a);
  const v2 = force(b);
  if (a === b && typeof a === 'object') return true;
  const t1 = typeof v1;
  const t2 = typeof v2;
  if (t1 === 'bigint') {
    if (t2 === 'bigint') return v1 === v2;
    if (t2 === 'number') return Number(v1) === v2;
    return false;
  }
  if (t1 === 'number') {
    if (t2 === 'number') return v1 === v2;
    if (t2 === 'bigint') return v1 === Number(v2);
    return false;
  }
  if (v1 === null || t1 === 'boolean') return v1 === v2;
  if (t1 === 'string') {
    if (t2 === 'string') return v1 === v2;
    return typeof v2 === 'object' && v2 !== null && !Array.isArray(v2) && v2.k === K_STRING && v2.s === v1;
  }
  if (typeof v2 !== 'object' && t2 !== 'string') return false;
  if (v2 === null) return false;
  if (Array.isArray(v1)) {
    if (!Array.isArray(v2) || v1.length !== v2.length) return false;
    for (let i = 0; i < v1.length; i++) if (!eqValues(v1[i], v2[i])) return false;
    return true;
  }
  if (Array.isArray(v2)) return false;
  const o1 = v1 as Exclude<Value, null | boolean | bigint | number | string | Lazy[]>;
  switch (o1.k) {
    case K_STRING:
      if (typeof v2 === 'string') return o1.s === v2;
      return typeof v2 === 'object' && v2.k === K_STRING && o1.s === v2.s;
    case K_PATH:
      return typeof v2 === 'object' && v2.k === K_PATH && o1.path === v2.path;
    case K_ATTRS: {
      if (typeof v2 !== 'object' || v2.k !== K_ATTRS) return false;
      if (isDerivation(o1) && isDerivation(v2)) {
        const p1 = o1.map.get('outPath');
        const p2 = v2.map.get('outPath');
        if (p1 !== undefined && p2 !== undefined) return eqValues(p1, p2);
      }
      if (o1.map.size !== v2.map.size) return false;
      for (const [name, x] of o1.map) {
        const y = v2.map.get(name);
        if (y === undefined || !eqValues(x, y)) return false;
      }
      return true;
    }
    default:
      if (typeof v2 === 'string') return false;
      return false;
  }
}

/**
 * `==` / `!=` on two operand values: Nix compares fresh copies of the operands, so the identity
 * shortcut of eqValues applies only to nested slots (`f == f` is false, `[ f ] == [ f ]` true).
 */
export function eqOperands(v1: Value, v2: Value): boolean {
  if (v1 === v2 && isFunction(v1)) return false;
  return eqValues(v1, v2);
}

/** Ordering used by `<` and sort: ints/floats, strings, paths, lists (lexicographic). */
export function lessThan(a: Lazy, b: Lazy): boolean {
  const v1 = force(a);
  const v2 = force(b);
  if (typeof v1 === 'bigint' || typeof v1 === 'number') {
    if (typeof v2 === 'bigint' || typeof v2 === 'number') {
      if (typeof v1 === 'bigint' && typeof v2 === 'bigint') return v1 < v2;
      return Number(v1) < Number(v2);
    }
  } else if (typeof v1 === 'string' || (typeof v1 === 'object' && v1 !== null && !Array.isArray(v1) && v1.k === K_STRING)) {
    const s1 = typeof v1 === 'string' ? v1 : (v1 as { s: string }).s;
    // byte order, as Nix's strcmp
    if (typeof v2 === 'string') return compareUtf8(s1, v2) < 0;
    if (typeof v2 === 'object' && v2 !== null && !Array.isArray(v2) && v2.k === K_STRING) return compareUtf8(s1, v2.s) < 0;
  } else if (Array.isArray(v1)) {
    if (Array.isArray(v2)) {
      for (let i = 0; ; i++) {
        if (i === v2.length) return false;
        if (i === v1.length) return true;
        if (!eqValues(v1[i], v2[i])) return lessThan(v1[i], v2[i]);
      }
    }
  } else if (typeof v1 === 'object' && v1 !== null && v1.k === K_PATH) {
    if (typeof v2 === 'object' && v2 !== null && !Array.isArray(v2) && v2.k === K_PATH) return compareUtf8(v1.path, v2.path) < 0;
  }
  throw evalError(`cannot compare ${showType(v1)} with ${showType(v2)}`);
}
