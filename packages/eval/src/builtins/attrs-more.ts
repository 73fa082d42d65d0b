/** More attribute-set builtins: catAttrs, mapAttrs, intersectAttrs, zipAttrsWith, functionArgs, unsafeGetAttrPos. */
import { isMError } from '@m/core';
import type { Pos } from '@m/lang';
import {
  attrPos,
  force,
  forceAttrs,
  forceFunction,
  forceList,
  forceStringNoCtx,
  mkAttrs,
  mkPosValue,
  typeError,
  type BuiltinDef,
  type Lazy,
  type NixAttrs,
} from './api';
import { K_LAMBDA, K_PRIMOP, K_PRIMOP_APP } from '../value';
import { mkApply2 } from './apply-thunk';

export const attrMoreBuiltins: BuiltinDef[] = [
  {
    name: '__catAttrs',
    arity: 2,
    fn: (args, _c, pos) => {
      const name = forceStringNoCtx(args[0], pos);
      const list = forceList(args[1], pos);
      const out: Lazy[] = [];
      for (let i = 0; i < list.length; i++) {
        const v = forceAttrs(list[i], pos).map.get(name);
        if (v !== undefined) out.push(v);
      }
      return out;
    },
  },
  {
    name: '__mapAttrs',
    arity: 2,
    fn: (args, _c, pos) => {
      const a = forceAttrs(args[1], pos);
      const f = args[0];
      const map = new Map<string, Lazy>();
      for (const [name, v] of a.map) map.set(name, mkApply2(f, name, v, pos));
      return mkAttrs(map);
    },
  },
  {
    name: '__intersectAttrs',
    arity: 2,
    fn: (args, _c, pos) => {
      const a = forceAttrs(args[0], pos);
      const b = forceAttrs(args[1], pos);
      const map = new Map<string, Lazy>();
      const [small, other] = a.map.size <= b.map.size ? [a.map, b.map] : [b.map, a.map];
      for (const name of small.keys()) if (other.has(name)) map.set(name, b.map.get(name)!);
      // every attribute comes from `b`, so `b` knows all the positions
      return mkAttrs(map, { left: b.pos, right: b });
    },
  },
  {
    name: '__zipAttrsWith',
    arity: 2,
    fn: (args, _c, pos) => {
      const f = args[0];
      forceFunction(f, pos);
      const list = forceList(args[1], pos);
      const sets: NixAttrs[] = [];
      for (let i = 0; i < list.length; i++) {
        try {
          sets.push(forceAttrs(list[i]));
        } catch (e) {
          if (isMError(e) && e.code === 'TYPE_ERROR') e.addTrace("while invoking 'zipAttrsWith'", pos);
          throw e;
        }
      }
      const lists = new Map<string, Lazy[]>();
      for (const s of sets) {
        for (const [name, v] of s.map) {
          const l = lists.get(name);
          if (l === undefined) lists.set(name, [v]);
          else l.push(v);
        }
      }
      const map = new Map<string, Lazy>();
      for (const [name, vs] of lists) map.set(name, mkApply2(f, name, vs, pos));
      return mkAttrs(map);
    },
  },
  {
    name: '__functionArgs',
    arity: 1,
    fn: (args, _c, pos) => {
      const f = force(args[0], pos);
      if (typeof f === 'object' && f !== null && !Array.isArray(f)) {
        if (f.k === K_PRIMOP || f.k === K_PRIMOP_APP) return mkAttrs(new Map());
        if (f.k === K_LAMBDA) {
          const formals = f.fn.formals;
          if (formals === undefined) return mkAttrs(new Map());
          const map = new Map<string, Lazy>();
          const positions = new Map<string, Pos>();
          for (const fm of formals.formals) {
            map.set(fm.name, fm.def !== undefined);
            positions.set(fm.name, fm.pos);
          }
          return mkAttrs(map, positions);
        }
      }
      throw typeError("'functionArgs' requires a function", pos);
    },
  },
  {
    name: '__unsafeGetAttrPos',
    arity: 2,
    fn: (args, _c, pos) => {
      const name = forceStringNoCtx(args[0], pos);
      const a = forceAttrs(args[1], pos);
      if (!a.map.has(name)) return null;
      return mkPosValue(attrPos(a, name));
    },
  },
];
