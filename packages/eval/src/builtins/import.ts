/** import, scopedImport, the search path (`<nixpkgs>`): __findFile and __nixPath. */
import { MError } from '@m/core';
import type { Pos } from '@m/lang';
import {
  coerceToPath,
  evalExpr,
  forceAttrs,
  forceList,
  forceStringCtx,
  mkAttrs,
  mkPath,
  type BuiltinDef,
  type EvalState,
  type Lazy,
  type Value,
} from './api';
import { canonPath, coerceToString } from '../coerce';
import { COREPKGS, COREPKGS_PREFIX } from './corepkgs';
import type { SearchPathEntry } from '../state';

/** A path, or its `default.nix` when it is a directory (Nix's resolveExprPath). */
export function resolveExprPath(ctx: EvalState, path: string): string {
  if (ctx.io.fileType(path) === 'directory') return canonPath(path + '/default.nix');
  return path;
}

/** Nix's findFile: the first search path entry whose prefix matches and that exists. */
export function findFile(ctx: EvalState, searchPath: SearchPathEntry[], path: string, pos: Pos | undefined): string {
  for (const { prefix, path: base } of searchPath) {
    let suffix: string;
    if (prefix === '') suffix = '/' + path;
    else {
      if (!path.startsWith(prefix) || (path.length > prefix.length && path[prefix.length] !== '/')) continue;
      suffix = path.length === prefix.length ? '' : '/' + path.slice(prefix.length + 1);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(base)) continue;
    const root = base.startsWith('/') ? base : canonPath(process.cwd() + '/' + base);
    if (!ctx.io.pathExists(root)) continue;
    const res = root + suffix;
    if (ctx.io.pathExists(res)) return canonPath(res);
  }
  if (path.startsWith('nix/')) return COREPKGS_PREFIX + path.slice(4);
  const msg = ctx.pureEval
    ? `cannot look up '<${path}>' in pure evaluation mode (use '--impure' to override)`
    : `file '${path}' was not found in the Nix search path (add it using $NIX_PATH or -I)`;
  throw new MError('THROWN', msg, { pos });
}

function realisePath(v: Lazy, pos: Pos | undefined): string {
  return coerceToPath(v, pos, new Set());
}

export const importBuiltins: BuiltinDef[] = [
  {
    name: 'import',
    arity: 1,
    fn: (args, ctx, pos) => {
      const path = realisePath(args[0], pos);
      const core = path.startsWith(COREPKGS_PREFIX) ? COREPKGS[path.slice(COREPKGS_PREFIX.length)] : undefined;
      if (core !== undefined) return evalExpr(ctx.parseSource(core, path, '/', ctx.baseScope), ctx.baseEnv);
      return ctx.evalFile(path);
    },
  },
  {
    name: 'scopedImport',
    arity: 2,
    fn: (args, ctx, pos) => {
      const scope = forceAttrs(args[0], pos);
      const path = resolveExprPath(ctx, realisePath(args[1], pos));
      const names = ctx.baseScope.names.slice();
      const vals = ctx.baseEnv.vals.slice();
      for (const [name, v] of scope.map) {
        const i = names.indexOf(name);
        if (i >= 0) vals[i] = v;
        else {
          names.push(name);
          vals.push(v);
        }
      }
      const expr = ctx.parseSource(ctx.io.readFile(path), path, path.slice(0, path.lastIndexOf('/')) || '/', { names });
      return evalExpr(expr, { up: null, vals, prevWith: -1 });
    },
  },
  {
    name: '__nixPath',
    value: (ctx): Value =>
      ctx.nixPath.map((e) => mkAttrs(new Map<string, Lazy>([['path', e.path], ['prefix', e.prefix]]))),
  },
  {
    name: '__findFile',
    arity: 2,
    fn: (args, ctx, pos) => {
      const list = forceList(args[0], pos);
      const searchPath: SearchPathEntry[] = [];
      for (const item of list) {
        const a = forceAttrs(item, pos);
        const p = a.map.get('prefix');
        const prefix = p === undefined ? '' : forceStringCtx(p, new Set(), pos);
        const pathV = a.map.get('path');
        if (pathV === undefined) throw new MError('TYPE_ERROR', "attribute 'path' missing", { pos });
        searchPath.push({ prefix, path: coerceToString(pathV, pos, new Set(), false, false) });
      }
      const name = forceStringCtx(args[1], new Set(), pos);
      return mkPath(findFile(ctx, searchPath, name, pos));
    },
  },
];
