/** String coercion with Nix 2.8's rules (coerceToString, coerceToPath) and path canonicalisation. */
import type { Pos } from '@m/lang';
import { evalError, typeError } from './errors';
import { callFunction1, force } from './eval';
import { floatToString } from './format-float';
import { getState } from './state';
import { K_ATTRS, K_PATH, K_STRING, showType, type Lazy, type NixAttrs, type NixPath, type NixStringCtx } from './value';

/** Lexical canonicalisation of an absolute path: no `.`/`..` components, no `//`, no trailing `/`. */
export function canonPath(p: string): string {
  if (!p.startsWith('/')) throw evalError(`not an absolute path: '${p}'`);
  if (!p.includes('/.') && !p.includes('//') && !(p.length > 1 && p.endsWith('/'))) return p;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return '/' + out.join('/');
}

/**
 * Coerces a value to a string, adding string context to `ctx`.
 * - strings: as is; paths: copied to the store when `copyToStore` (canonicalised when asked);
 * - sets: `__toString self`, else `outPath`; else "cannot coerce a set to a string";
 * - with `coerceMore` (toString): true → "1", false/null → "", numbers, lists joined by spaces.
 */
export function coerceToString(
  v: Lazy,
  pos: Pos | undefined,
  ctx: Set<string>,
  coerceMore: boolean,
  copyToStore: boolean,
  canonicalizePath = true,
): string {
  const r = force(v, pos);
  if (typeof r === 'string') return r;
  if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
    if (r.k === K_STRING) {
      for (const c of (r as NixStringCtx).ctx) ctx.add(c);
      return (r as NixStringCtx).s;
    }
    if (r.k === K_PATH) {
      let p = (r as NixPath).path;
      if (canonicalizePath) p = canonPath(p);
      if (copyToStore) {
        const sp = getState().copyPathToStore(p, pos);
        ctx.add(sp);
        return sp;
      }
      return p;
    }
    if (r.k === K_ATTRS) {
      const a = r as NixAttrs;
      const toStr = a.map.get('__toString');
      if (toStr !== undefined) {
        const res = callFunction1(toStr, a, pos);
        return coerceToString(res, pos, ctx, coerceMore, copyToStore);
      }
      const out = a.map.get('outPath');
      if (out === undefined) throw typeError('cannot coerce a set to a string', pos);
      return coerceToString(out, pos, ctx, coerceMore, copyToStore);
    }
  }
  if (coerceMore) {
    if (r === true) return '1';
    if (r === false || r === null) return '';
    if (typeof r === 'bigint') return r.toString();
    if (typeof r === 'number') return floatToString(r);
    if (Array.isArray(r)) {
      let s = '';
      for (let i = 0; i < r.length; i++) {
        s += coerceToString(r[i], pos, ctx, coerceMore, copyToStore);
        if (i < r.length - 1) {
          const item = force(r[i]);
          if (!Array.isArray(item) || item.length !== 0) s += ' ';
        }
      }
      return s;
    }
  }
  throw typeError(`cannot coerce ${showType(r)} to a string`, pos);
}

/** coerceToString without store copying, requiring an absolute path (Nix's coerceToPath). */
export function coerceToPath(v: Lazy, pos: Pos | undefined, ctx: Set<string>): string {
  const p = coerceToString(v, pos, ctx, false, false);
  if (p === '' || p[0] !== '/') throw evalError(`string '${p}' doesn't represent an absolute path`, pos);
  return p;
}
