/**
 * Variable resolution (Nix's bindVars): fills in level/displ/fromWith of variables, displ of
 * let/rec attributes and prevWith of `with`, following the scope contract in ast.ts.
 */
import { MError } from '@m/core';
import type { AttrDef, Expr, ExprAttrs, StaticScope } from './ast';
import { attrRank } from './symbols';
import { showId } from './show';

interface StaticEnv {
  isWith: boolean;
  vars: Map<string, number> | undefined;
  up: StaticEnv | undefined;
}

/** A let's bindings in the order Nix visits them (its map order, i.e. symbol order). */
function letOrder(attrs: AttrDef[]): AttrDef[] {
  if (attrs.length < 2) return attrs;
  return attrs
    .map((a, i) => ({ a, r: attrRank.get(a) ?? i }))
    .sort((x, y) => x.r - y.r)
    .map((x) => x.a);
}

function recEnv(attrs: ExprAttrs, up: StaticEnv): StaticEnv {
  const vars = new Map<string, number>();
  attrs.attrs.forEach((a, i) => {
    a.displ = i;
    vars.set(a.name, i);
  });
  return { isWith: false, vars, up };
}

export function bindVars(ast: Expr, scope: StaticScope): MError[] {
  const errors: MError[] = [];
  const base: StaticEnv = { isWith: false, vars: new Map(scope.names.map((n, i) => [n, i])), up: undefined };

  const bind = (e: Expr, env: StaticEnv): void => {
    switch (e.kind) {
      case 'int':
      case 'float':
      case 'string':
      case 'path':
      case 'curPos':
        return;
      case 'var': {
        let withLevel = -1;
        let level = 0;
        for (let cur: StaticEnv | undefined = env; cur; cur = cur.up, level++) {
          if (cur.isWith) {
            if (withLevel === -1) withLevel = level;
          } else {
            const d = cur.vars!.get(e.name);
            if (d !== undefined) {
              e.fromWith = false;
              e.level = level;
              e.displ = d;
              return;
            }
          }
        }
        if (withLevel === -1) {
          errors.push(new MError('UNDEFINED_VARIABLE', `undefined variable '${showId(e.name)}'`, { pos: e.pos }));
          return;
        }
        e.fromWith = true;
        e.level = withLevel;
        e.displ = 0;
        return;
      }
      case 'select':
        bind(e.e, env);
        if (e.def) bind(e.def, env);
        for (const n of e.attrPath) if (n.expr) bind(n.expr, env);
        return;
      case 'hasAttr':
        bind(e.e, env);
        for (const n of e.attrPath) if (n.expr) bind(n.expr, env);
        return;
      case 'attrs': {
        if (e.rec) {
          const inner = recEnv(e, env);
          for (const a of e.attrs) bind(a.e, a.inherited ? env : inner);
          for (const d of e.dynamicAttrs) {
            bind(d.nameExpr, inner);
            bind(d.valueExpr, inner);
          }
        } else {
          for (const a of e.attrs) bind(a.e, env);
          for (const d of e.dynamicAttrs) {
            bind(d.nameExpr, env);
            bind(d.valueExpr, env);
          }
        }
        return;
      }
      case 'list':
        for (const x of e.elems) bind(x, env);
        return;
      case 'lambda': {
        const vars = new Map<string, number>();
        let displ = 0;
        if (e.arg !== undefined && e.arg !== '') vars.set(e.arg, displ++);
        if (e.formals) for (const f of e.formals.formals) vars.set(f.name, displ++);
        const inner: StaticEnv = { isWith: false, vars, up: env };
        if (e.formals) for (const f of e.formals.formals) if (f.def) bind(f.def, inner);
        bind(e.body, inner);
        return;
      }
      case 'call':
        bind(e.fun, env);
        for (const a of e.args) bind(a, env);
        return;
      case 'let': {
        const inner = recEnv(e.attrs, env);
        for (const a of letOrder(e.attrs.attrs)) bind(a.e, a.inherited ? env : inner);
        bind(e.body, inner);
        return;
      }
      case 'with': {
        e.prevWith = 0;
        let level = 1;
        for (let cur: StaticEnv | undefined = env; cur; cur = cur.up, level++) {
          if (cur.isWith) {
            e.prevWith = level;
            break;
          }
        }
        bind(e.attrs, env);
        bind(e.body, { isWith: true, vars: undefined, up: env });
        return;
      }
      case 'if':
        bind(e.cond, env);
        bind(e.then, env);
        bind(e.else, env);
        return;
      case 'assert':
        bind(e.cond, env);
        bind(e.body, env);
        return;
      case 'not':
        bind(e.e, env);
        return;
      case 'binary':
        bind(e.e1, env);
        bind(e.e2, env);
        return;
      case 'concatStrings':
        for (const x of e.es) bind(x, env);
        return;
    }
  };

  bind(ast, base);
  return errors;
}
