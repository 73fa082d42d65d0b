/**
 * String builtins: substring, stringLength, concatStringsSep, replaceStrings, match, split,
 * hashString, versions (compareVersions, splitVersion, parseDrvName) and path-like strings
 * (baseNameOf, dirOf, toPath). Lengths and offsets are in UTF-8 bytes, as in Nix.
 */
import { isMError } from '@m/core';
import type { Pos } from '@m/lang';
import {
  coerceToPath,
  coerceToString,
  error,
  evalError,
  force,
  forceInt,
  forceList,
  forceString,
  forceStringCtx,
  forceStringNoCtx,
  isPath,
  mkAttrs,
  mkPath,
  mkString,
  type BuiltinDef,
  type Lazy,
  type Value,
} from './api';
import { canonPath } from '../coerce';
import { byteLength, byteSubstring, compareVersions, parseDrvName, replaceStringsBytes, replaceStringsText, splitVersion } from '../pure/strings';
import { fromUtf8, joinStrings, utf8 } from '@m/nix-compat';
import { compileNixRegex, matchFull, splitAll, type NixRegex } from '../pure/regex';
import { hashString, isNixHashType } from '../pure/hashes';

/** A C `int` taken from a Nix integer (Nix's substring narrows its arguments to 32 bits). */
function toCInt(n: bigint): number {
  return Number(BigInt.asIntN(32, n));
}

/** Nix's baseNameOf: everything after the last slash, ignoring one trailing slash. */
export function baseNameOfString(path: string): string {
  if (path === '') return '';
  let last = path.length - 1;
  if (path[last] === '/' && last > 0) last -= 1;
  const slash = path.lastIndexOf('/', last);
  return path.slice(slash + 1, last + 1);
}

/** Nix's dirOf: everything before the last slash ("." without one, "/" for a top-level entry). */
export function dirOfString(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : path.slice(0, slash);
}

/** Errors of the pure helpers carry no position; give them the call site. */
function withPos<T>(pos: Pos | undefined, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isMError(e) && e.pos === undefined && pos !== undefined) e.pos = pos;
    throw e;
  }
}

function compileAt(re: string, pos: Pos | undefined): NixRegex {
  return withPos(pos, () => compileNixRegex(re));
}

const enc = utf8;

export const stringBuiltins: BuiltinDef[] = [
  {
    name: '__substring',
    arity: 3,
    fn: (args, _c, pos) => {
      const start = toCInt(forceInt(args[0], pos));
      const len = toCInt(forceInt(args[1], pos));
      const ctx = new Set<string>();
      const s = coerceToString(args[2], pos, ctx, false, true);
      if (start < 0) throw evalError("negative start position in 'substring'", pos);
      return mkString(byteSubstring(start, len, s), ctx);
    },
  },
  {
    name: '__stringLength',
    arity: 1,
    fn: (args, _c, pos) => BigInt(byteLength(coerceToString(args[0], pos, new Set(), false, true))),
  },
  {
    name: '__concatStringsSep',
    arity: 2,
    fn: (args, _c, pos) => {
      const ctx = new Set<string>();
      const sep = forceStringCtx(args[0], ctx, pos);
      const list = forceList(args[1], pos);
      const parts = new Array<string>(list.length);
      for (let i = 0; i < list.length; i++) parts[i] = coerceToString(list[i], pos, ctx, false, true);
      return mkString(joinStrings(parts, sep), ctx);
    },
  },
  {
    name: '__replaceStrings',
    arity: 3,
    fn: (args, _c, pos) => {
      const fromL = forceList(args[0], pos);
      const toL = forceList(args[1], pos);
      if (fromL.length !== toL.length) {
        throw evalError("'from' and 'to' arguments to 'replaceStrings' have different lengths", pos);
      }
      const from = fromL.map((x) => forceString(x, pos));
      const toCtx: Set<string>[] = [];
      const to = toL.map((x) => {
        const c = new Set<string>();
        toCtx.push(c);
        return forceStringCtx(x, c, pos);
      });
      const ctx = new Set<string>();
      const s = forceStringCtx(args[2], ctx, pos);
      const text = replaceStringsText(from, to, s);
      const { result, used } = text ?? replaceStringsBytes(from.map(enc), to.map(enc), enc(s));
      for (const i of used) for (const c of toCtx[i]) ctx.add(c);
      return mkString(typeof result === 'string' ? result : fromUtf8(result), ctx);
    },
  },
  {
    name: '__match',
    arity: 2,
    fn: (args, _c, pos) => {
      const re = compileAt(forceStringNoCtx(args[0], pos), pos);
      const s = forceString(args[1], pos);
      const m = withPos(pos, () => matchFull(re, s));
      return m === null ? null : (m as Lazy[]);
    },
  },
  {
    name: '__split',
    arity: 2,
    fn: (args, _c, pos) => {
      const re = compileAt(forceStringNoCtx(args[0], pos), pos);
      const subject = force(args[1], pos);
      const s = forceString(subject, pos);
      const parts = withPos(pos, () => splitAll(re, s));
      if (parts.length === 1) return [subject];
      return parts as Lazy[];
    },
  },
  {
    name: '__hashString',
    arity: 2,
    fn: (args, _c, pos) => {
      const type = forceStringNoCtx(args[0], pos);
      if (!isNixHashType(type)) throw error('BAD_ARGUMENT', `unknown hash algorithm '${type}'`, pos);
      return hashString(type, forceString(args[1], pos));
    },
  },
  {
    name: '__compareVersions',
    arity: 2,
    fn: (args, _c, pos) => {
      const a = forceStringNoCtx(args[0], pos);
      const b = forceStringNoCtx(args[1], pos);
      return BigInt(compareVersions(a, b));
    },
  },
  {
    name: '__splitVersion',
    arity: 1,
    fn: (args, _c, pos) => splitVersion(forceStringNoCtx(args[0], pos)),
  },
  {
    name: '__parseDrvName',
    arity: 1,
    fn: (args, _c, pos) => {
      const { name, version } = parseDrvName(forceStringNoCtx(args[0], pos));
      return mkAttrs(new Map<string, Lazy>([['name', name], ['version', version]]));
    },
  },
  {
    name: 'baseNameOf',
    arity: 1,
    fn: (args, _c, pos) => {
      const ctx = new Set<string>();
      const s = coerceToString(args[0], pos, ctx, false, false);
      return mkString(baseNameOfString(s), ctx);
    },
  },
  {
    name: 'dirOf',
    arity: 1,
    fn: (args, _c, pos) => {
      const v: Value = force(args[0], pos);
      const ctx = new Set<string>();
      const dir = dirOfString(coerceToString(v, pos, ctx, false, false));
      return isPath(v) ? mkPath(dir) : mkString(dir, ctx);
    },
  },
  {
    name: '__toPath',
    arity: 1,
    fn: (args, _c, pos) => {
      const ctx = new Set<string>();
      const p = coerceToPath(args[0], pos, ctx);
      return mkString(withPos(pos, () => canonPath(p)), ctx);
    },
  },
];
