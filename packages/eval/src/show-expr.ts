/**
 * Printing expressions the way Nix's `Expr::show` does (used by `assertion '…' failed`).
 * Uses @m/lang's `showExpr` when it exists; the local printer is the fallback.
 */
import * as lang from '@m/lang';
import type { AttrName, Expr } from '@m/lang';
import { formatFloat } from './format-float';

type ShowFn = (e: Expr) => string;

function langShow(): ShowFn | undefined {
  return lang.showExpr;
}

function showString(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === '\\' || c === '$') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return out + '"';
}

/** An attribute name as Nix prints it: bare when an identifier, else quoted. */
export function showId(s: string): string {
  if (s === '') return '""';
  if (s === 'if') return '"if"';
  if (/^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(s)) return s;
  return showString(s);
}

function showAttrPath(path: AttrName[]): string {
  return path.map((a) => (a.name !== undefined ? showId(a.name) : `"\${${show(a.expr)}}"`)).join('.');
}

function show(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return e.value.toString();
    case 'float':
      return formatFloat(e.value);
    case 'string':
      return showString(e.value);
    case 'path':
      return e.value;
    case 'var':
      return e.name;
    case 'select':
      return `(${show(e.e)}).${showAttrPath(e.attrPath)}` + (e.def ? ` or (${show(e.def)})` : '');
    case 'hasAttr':
      return `((${show(e.e)}) ? ${showAttrPath(e.attrPath)})`;
    case 'attrs': {
      let s = e.rec ? 'rec { ' : '{ ';
      const sorted = [...e.attrs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const a of sorted) s += a.inherited ? `inherit ${showId(a.name)} ; ` : `${showId(a.name)} = ${show(a.e)}; `;
      for (const d of e.dynamicAttrs) s += `"\${${show(d.nameExpr)}}" = ${show(d.valueExpr)}; `;
      return s + '}';
    }
    case 'list':
      return '[ ' + e.elems.map((x) => `(${show(x)}) `).join('') + ']';
    case 'lambda': {
      let s = '(';
      if (e.formals) {
        const parts = e.formals.formals.map((f) => (f.def ? `${f.name} ? ${show(f.def)}` : f.name));
        if (e.formals.ellipsis) parts.push('...');
        s += '{ ' + parts.join(', ') + ' }';
        if (e.arg) s += ' @ ';
      }
      if (e.arg) s += e.arg;
      return s + ': ' + show(e.body) + ')';
    }
    case 'call':
      return '(' + show(e.fun) + e.args.map((a) => ' ' + show(a)).join('') + ')';
    case 'let': {
      let s = '(let ';
      for (const a of e.attrs.attrs) s += a.inherited ? `inherit ${showId(a.name)}; ` : `${showId(a.name)} = ${show(a.e)}; `;
      return s + 'in ' + show(e.body) + ')';
    }
    case 'with':
      return `(with ${show(e.attrs)}; ${show(e.body)})`;
    case 'if':
      return `(if ${show(e.cond)} then ${show(e.then)} else ${show(e.else)})`;
    case 'assert':
      return `assert ${show(e.cond)}; ${show(e.body)}`;
    case 'not':
      return `(! ${show(e.e)})`;
    case 'binary':
      return `(${show(e.e1)} ${e.op} ${show(e.e2)})`;
    case 'concatStrings':
      return '(' + e.es.map(show).join(' + ') + ')';
    case 'curPos':
      return '__curPos';
  }
}

export function showExpr(e: Expr): string {
  const f = langShow();
  return f ? f(e) : show(e);
}
