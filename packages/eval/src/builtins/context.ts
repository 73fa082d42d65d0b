/**
 * String context builtins (Nix 2.8 primops/context.cc): getContext, appendContext, hasContext,
 * unsafeDiscardStringContext, unsafeDiscardOutputDependency.
 */
import { showId } from '@m/lang';
import { compareUtf8, isDerivationPath, isStorePath } from '@m/nix-compat';
import {
  attrPos,
  coerceToString,
  evalError,
  forceAttrs,
  forceBool,
  forceList,
  forceStringCtx,
  forceStringNoCtx,
  mkAttrs,
  mkString,
  type BuiltinDef,
  type Lazy,
} from './api';

/** Splits a context element into its store path and output name ("" unless `!out!path`). */
export function decodeContextElem(elem: string): { path: string; output: string; allOutputs: boolean } {
  if (elem.startsWith('=')) return { path: elem.slice(1), output: '', allOutputs: true };
  if (elem.startsWith('!')) {
    const second = elem.indexOf('!', 1);
    return { path: elem.slice(second + 1), output: elem.slice(1, second), allOutputs: false };
  }
  return { path: elem, output: '', allOutputs: false };
}

export const contextBuiltins: BuiltinDef[] = [
  {
    name: '__unsafeDiscardStringContext',
    arity: 1,
    fn: (args, _ctx, pos) => coerceToString(args[0], pos, new Set(), false, true),
  },
  {
    name: '__hasContext',
    arity: 1,
    fn: (args, _ctx, pos) => {
      const ctx = new Set<string>();
      forceStringCtx(args[0], ctx, pos);
      return ctx.size > 0;
    },
  },
  {
    name: '__unsafeDiscardOutputDependency',
    arity: 1,
    fn: (args, _ctx, pos) => {
      const ctx = new Set<string>();
      const s = coerceToString(args[0], pos, ctx, false, true);
      const out = new Set<string>();
      for (const c of ctx) out.add(c.startsWith('=') ? c.slice(1) : c);
      return mkString(s, out);
    },
  },
  {
    name: '__getContext',
    arity: 1,
    fn: (args, _ctx, pos) => {
      const ctx = new Set<string>();
      forceStringCtx(args[0], ctx, pos);
      const infos = new Map<string, { path: boolean; allOutputs: boolean; outputs: string[] }>();
      for (const elem of [...ctx].sort(compareUtf8)) {
        const d = decodeContextElem(elem);
        let info = infos.get(d.path);
        if (info === undefined) infos.set(d.path, (info = { path: false, allOutputs: false, outputs: [] }));
        if (d.allOutputs) info.allOutputs = true;
        else if (d.output !== '') info.outputs.push(d.output);
        else info.path = true;
      }
      const res = new Map<string, Lazy>();
      for (const [p, info] of infos) {
        const m = new Map<string, Lazy>();
        if (info.allOutputs) m.set('allOutputs', true);
        if (info.outputs.length > 0) m.set('outputs', info.outputs);
        if (info.path) m.set('path', true);
        res.set(p, mkAttrs(m));
      }
      return mkAttrs(res);
    },
  },
  {
    name: '__appendContext',
    arity: 2,
    fn: (args, ctx, pos) => {
      const context = new Set<string>();
      const orig = forceStringCtx(args[0], context, pos);
      const attrs = forceAttrs(args[1], pos);
      for (const name of [...attrs.map.keys()].sort(compareUtf8)) {
        const namePos = attrPos(attrs, name) ?? pos;
        if (!isStorePath(name, ctx.storeDir)) throw evalError(`Context key '${showId(name)}' is not a store path`, namePos);
        const info = forceAttrs(attrs.map.get(name)!, namePos);
        const pathV = info.map.get('path');
        if (pathV !== undefined && forceBool(pathV, attrPos(info, 'path') ?? namePos)) context.add(name);
        const allV = info.map.get('allOutputs');
        if (allV !== undefined && forceBool(allV, attrPos(info, 'allOutputs') ?? namePos)) {
          if (!isDerivationPath(name)) {
            throw evalError(
              `Tried to add all-outputs context of ${showId(name)}, which is not a derivation, to a string`,
              namePos,
            );
          }
          context.add('=' + name);
        }
        const outsV = info.map.get('outputs');
        if (outsV !== undefined) {
          const outsPos = attrPos(info, 'outputs') ?? namePos;
          const outs = forceList(outsV, outsPos);
          if (outs.length > 0 && !isDerivationPath(name)) {
            throw evalError(
              `Tried to add derivation output context of ${showId(name)}, which is not a derivation, to a string`,
              namePos,
            );
          }
          for (const o of outs) context.add(`!${forceStringNoCtx(o, outsPos)}!${name}`);
        }
      }
      return mkString(orig, context);
    },
  },
];
