/** Core list and attribute-set builtins. Iterative: no JS recursion per element. */
import {
  attrPos,
  callFunction,
  callFunction1,
  concatLists,
  eqValues,
  evalError,
  force,
  forceAttrs,
  forceBool,
  forceFunction,
  forceInt,
  forceList,
  forceStringNoCtx,
  mkAttrs,
  suggestionHint,
  typeError,
  type BuiltinDef,
  type Lazy,
  type NixAttrs,
  type PrimOp,
} from './api';
import { mkApply, mkApplyIndex } from './apply-thunk';
import { K_PRIMOP } from '../value';
import { compareUtf8 } from '@m/nix-compat';
import type { Pos } from '@m/lang';
import { MAX_LIST_LENGTH, listTooLong } from '../errors';

/** Byte order of names, as Nix's std::string comparisons. */
const byName = compareUtf8;

/** Position of the expression that created a set, when known. */
function setPos(a: NixAttrs): Pos | undefined {
  const p = a.pos;
  return p !== null && !(p instanceof Map) && 'kind' in p ? p.pos : undefined;
}

/** Nix's `attribute 'x' missing for call to 'f'`. */
export function requireAttr(a: NixAttrs, name: string, funcName: string, pos: Pos | undefined): Lazy {
  const v = a.map.get(name);
  if (v !== undefined) return v;
  const msg = `attribute '${name}' missing for call to '${funcName}'`;
  const sp = setPos(a);
  if (sp === undefined) throw typeError(msg, pos);
  throw typeError(msg, sp).addTrace(`while invoking '${funcName}'`, pos);
}

/** Nix 2.8's elemAt takes a C `int`: the index is truncated to 32 bits (2^32 selects element 0). */
function elemAt(list: Lazy[], index: bigint, pos: Pos | undefined): Lazy {
  const n = BigInt.asIntN(32, index);
  if (n < 0n || n >= BigInt(list.length)) throw evalError(`list index ${n} is out of bounds`, pos);
  return list[Number(n)];
}

export const listAttrBuiltins: BuiltinDef[] = [
  { name: '__length', arity: 1, fn: (args, _c, pos) => BigInt(forceList(args[0], pos).length) },
  { name: '__head', arity: 1, fn: (args, _c, pos) => force(elemAt(forceList(args[0], pos), 0n, pos), pos) },
  {
    name: '__tail',
    arity: 1,
    fn: (args, _c, pos) => {
      const l = forceList(args[0], pos);
      if (l.length === 0) throw evalError("'tail' called on an empty list", pos);
      return l.slice(1);
    },
  },
  {
    name: '__elemAt',
    arity: 2,
    fn: (args, _c, pos) => force(elemAt(forceList(args[0], pos), forceInt(args[1], pos), pos), pos),
  },
  {
    name: 'map',
    arity: 2,
    fn: (args, _c, pos) => {
      const list = forceList(args[1], pos);
      const f = args[0];
      const out = new Array<Lazy>(list.length);
      // Like Nix's tApp thunks: the application is forced without a position.
      for (let i = 0; i < list.length; i++) out[i] = mkApply(f, list[i]);
      return out;
    },
  },
  {
    name: '__filter',
    arity: 2,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[1], pos);
      const out: Lazy[] = [];
      for (let i = 0; i < list.length; i++) {
        if (forceBool(callFunction1(f, list[i], pos), pos)) out.push(list[i]);
      }
      return out.length === list.length ? list : out;
    },
  },
  {
    name: "__foldl'",
    arity: 3,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[2], pos);
      let acc: Lazy = args[1];
      // A two-argument builtin takes both at once; anything else is applied one argument at a time
      // (what callFunction does with two arguments, without an argument array per element).
      const primop2 = typeof f === 'object' && f !== null && (f as PrimOp).k === K_PRIMOP && (f as PrimOp).arity === 2;
      for (let i = 0; i < list.length; i++) {
        acc = primop2 ? callFunction(f, [acc, list[i]], pos) : callFunction1(callFunction1(f, acc, pos), list[i], pos);
      }
      return force(acc, pos);
    },
  },
  {
    name: '__genList',
    arity: 2,
    fn: (args, _c, pos) => {
      const n = forceInt(args[1], pos);
      if (n < 0n) throw evalError(`cannot create list of size ${n}`, pos);
      if (n > BigInt(MAX_LIST_LENGTH)) throw listTooLong(n, pos);
      const f = args[0];
      const len = Number(n);
      const out = new Array<Lazy>(len);
      for (let i = 0; i < len; i++) out[i] = mkApplyIndex(f, i);
      return out;
    },
  },
  {
    name: '__elem',
    arity: 2,
    fn: (args, _c, pos) => {
      const list = forceList(args[1], pos);
      for (let i = 0; i < list.length; i++) if (eqValues(args[0], list[i])) return true;
      return false;
    },
  },
  { name: '__concatLists', arity: 1, fn: (args, _c, pos) => concatLists(forceList(args[0], pos), pos) },

  {
    name: '__attrNames',
    arity: 1,
    fn: (args, _c, pos) => [...forceAttrs(args[0], pos).map.keys()].sort(byName),
  },
  {
    name: '__attrValues',
    arity: 1,
    fn: (args, _c, pos) => {
      const a = forceAttrs(args[0], pos);
      return [...a.map.keys()].sort(byName).map((k) => a.map.get(k)!);
    },
  },
  {
    name: '__getAttr',
    arity: 2,
    fn: (args, _c, pos) => {
      const name = forceStringNoCtx(args[0], pos);
      const a = forceAttrs(args[1], pos);
      return force(requireAttr(a, name, 'getAttr', pos), pos);
    },
  },
  {
    name: '__hasAttr',
    arity: 2,
    fn: (args, _c, pos) => {
      const name = forceStringNoCtx(args[0], pos);
      return forceAttrs(args[1], pos).map.has(name);
    },
  },
  {
    name: 'removeAttrs',
    arity: 2,
    fn: (args, _c, pos) => {
      const a = forceAttrs(args[0], pos);
      const names = forceList(args[1], pos).map((n) => forceStringNoCtx(n, pos));
      const map = new Map(a.map);
      for (const n of names) map.delete(n);
      return mkAttrs(map, a.pos);
    },
  },
  {
    name: '__listToAttrs',
    arity: 1,
    fn: (args, _c, pos) => {
      const list = forceList(args[0], pos);
      const map = new Map<string, Lazy>();
      const positions = new Map<string, Pos>();
      for (let i = 0; i < list.length; i++) {
        const item = forceAttrs(list[i], pos);
        const nameV = requireAttr(item, 'name', 'listToAttrs', pos);
        const name = forceStringNoCtx(nameV, attrPos(item, 'name'));
        if (map.has(name)) continue;
        const value = requireAttr(item, 'value', 'listToAttrs', pos);
        map.set(name, value);
        const vp = attrPos(item, 'value');
        if (vp !== undefined) positions.set(name, vp);
      }
      return mkAttrs(map, positions.size > 0 ? positions : null);
    },
  },
];

export { suggestionHint };
