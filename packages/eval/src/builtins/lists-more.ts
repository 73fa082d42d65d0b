/** More list builtins: sort, partition, groupBy, concatMap, any, all, genericClosure. */
import { isMError } from '@m/core';
import {
  callFunction1,
  evalError,
  force,
  forceAttrs,
  forceBool,
  forceFunction,
  forceList,
  forceStringNoCtx,
  mkAttrs,
  type BuiltinDef,
  type Lazy,
} from './api';
import { compareLess, createOrderedSet, stableSortLikeLibstdcxx } from './compare';
import { requireAttr } from './lists-attrs';
import { sortLess } from './sort-less';

function anyOrAll(name: string, any: boolean): BuiltinDef {
  return {
    name,
    arity: 2,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[1], pos);
      for (let i = 0; i < list.length; i++) {
        if (forceBool(callFunction1(f, list[i], pos), pos) === any) return any;
      }
      return !any;
    },
  };
}

export const listMoreBuiltins: BuiltinDef[] = [
  anyOrAll('__any', true),
  anyOrAll('__all', false),
  {
    name: '__sort',
    arity: 2,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[1], pos);
      const out = new Array<Lazy>(list.length);
      for (let i = 0; i < list.length; i++) out[i] = force(list[i], pos);
      stableSortLikeLibstdcxx(out, sortLess(f, out, pos, compareLess));
      return out;
    },
  },
  {
    name: '__partition',
    arity: 2,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[1], pos);
      const right: Lazy[] = [];
      const wrong: Lazy[] = [];
      for (let i = 0; i < list.length; i++) {
        const x = list[i];
        force(x, pos);
        if (forceBool(callFunction1(f, x, pos), pos)) right.push(x);
        else wrong.push(x);
      }
      return mkAttrs(new Map<string, Lazy>([['right', right], ['wrong', wrong]]));
    },
  },
  {
    name: '__groupBy',
    arity: 2,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[1], pos);
      const groups = new Map<string, Lazy[]>();
      for (let i = 0; i < list.length; i++) {
        const name = forceStringNoCtx(callFunction1(f, list[i], pos), pos);
        const g = groups.get(name);
        if (g === undefined) groups.set(name, [list[i]]);
        else g.push(list[i]);
      }
      return mkAttrs(groups as Map<string, Lazy>);
    },
  },
  {
    name: '__concatMap',
    arity: 2,
    fn: (args, _c, pos) => {
      const f = forceFunction(args[0], pos);
      const list = forceList(args[1], pos);
      const out: Lazy[] = [];
      for (let i = 0; i < list.length; i++) {
        let l: Lazy[];
        try {
          l = forceList(callFunction1(f, list[i], pos), pos);
        } catch (e) {
          if (isMError(e) && e.code === 'TYPE_ERROR') e.addTrace("while invoking 'concatMap'", pos);
          throw e;
        }
        for (let k = 0; k < l.length; k++) out.push(l[k]);
      }
      return out;
    },
  },
  {
    name: '__genericClosure',
    arity: 1,
    fn: (args, _c, pos) => {
      const a = forceAttrs(args[0], pos);
      const startSet = forceList(requireAttr(a, 'startSet', 'genericClosure', pos), pos);
      const work: Lazy[] = startSet.slice();
      const op = requireAttr(a, 'operator', 'genericClosure', pos);
      force(op, pos);
      const done = createOrderedSet<Lazy>(compareLess);
      const res: Lazy[] = [];
      for (let head = 0; head < work.length; head++) {
        const e = work[head];
        work[head] = null;
        const ea = forceAttrs(e, pos);
        const key = ea.map.get('key');
        if (key === undefined) throw evalError("attribute 'key' required", pos);
        force(key, pos);
        if (!done.insert(key)) continue;
        res.push(e);
        const next = forceList(callFunction1(op, e, pos), pos);
        for (let i = 0; i < next.length; i++) {
          force(next[i], pos);
          work.push(next[i]);
        }
      }
      return res;
    },
  },
];
