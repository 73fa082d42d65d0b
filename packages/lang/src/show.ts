/** `nix-instantiate --parse` output: Nix 2.8's Expr::show methods (nixexpr.cc). */
import type { AttrName, Expr } from './ast';
import { attrRank } from './symbols';

const needsEscape = /["\\$\n\r\t]/;

export function showString(s: string): string {
  if (!needsEscape.test(s)) return '"' + s + '"';
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const esc = c === 34 ? '\\"' : c === 92 ? '\\\\' : c === 36 ? '\\$' : c === 10 ? '\\n' : c === 13 ? '\\r' : c === 9 ? '\\t' : undefined;
    if (esc !== undefined) {
      out += s.slice(from, i) + esc;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

/** An identifier, quoted as a string when it is not a plain Nix identifier. */
export function showId(s: string): string {
  if (s === '') return '""';
  if (s === 'if') return '"if"';
  if (!/^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(s)) return showString(s);
  return s;
}

export function showAttrPath(path: AttrName[]): string {
  return path.map((n) => (n.name !== undefined ? showId(n.name) : `"\${${showExpr(n.expr)}}"`)).join('.');
}

/** A double as C++ iostreams print it by default (`%g`, 6 significant digits). */
export function showFloat(x: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = x.toExponential(5).split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

export function showExpr(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return e.value.toString();
    case 'float':
      return showFloat(e.value);
    case 'string':
      return showString(e.value);
    case 'path':
      return e.value;
    case 'var':
      return showId(e.name);
    case 'select':
      return `(${showExpr(e.e)}).${showAttrPath(e.attrPath)}` + (e.def ? ` or (${showExpr(e.def)})` : '');
    case 'hasAttr':
      return `((${showExpr(e.e)}) ? ${showAttrPath(e.attrPath)})`;
    case 'attrs': {
      let out = e.rec ? 'rec { ' : '{ ';
      const sorted = e.attrs.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const a of sorted)
        out += a.inherited ? `inherit ${showId(a.name)} ; ` : `${showId(a.name)} = ${showExpr(a.e)}; `;
      for (const d of e.dynamicAttrs) out += `"\${${showExpr(d.nameExpr)}}" = ${showExpr(d.valueExpr)}; `;
      return out + '}';
    }
    case 'list':
      return '[ ' + e.elems.map((x) => `(${showExpr(x)}) `).join('') + ']';
    case 'lambda': {
      let out = '(';
      if (e.formals) {
        const parts = e.formals.formals.map((f) => showId(f.name) + (f.def ? ` ? ${showExpr(f.def)}` : ''));
        if (e.formals.ellipsis) parts.push('...');
        out += `{ ${parts.join(', ')} }`;
        if (e.arg !== undefined && e.arg !== '') out += ' @ ';
      }
      if (e.arg !== undefined && e.arg !== '') out += showId(e.arg);
      return out + `: ${showExpr(e.body)})`;
    }
    case 'call':
      return `(${showExpr(e.fun)}${e.args.map((a) => ' ' + showExpr(a)).join('')})`;
    case 'let': {
      const defs = e.attrs.attrs
        .map((a, i) => ({ a, rank: attrRank.get(a) ?? i }))
        .sort((x, y) => x.rank - y.rank);
      let out = '(let ';
      for (const { a } of defs) out += a.inherited ? `inherit ${showId(a.name)}; ` : `${showId(a.name)} = ${showExpr(a.e)}; `;
      return out + `in ${showExpr(e.body)})`;
    }
    case 'with':
      return `(with ${showExpr(e.attrs)}; ${showExpr(e.body)})`;
    case 'if':
      return `(if ${showExpr(e.cond)} then ${showExpr(e.then)} else ${showExpr(e.else)})`;
    case 'assert':
      return `assert ${showExpr(e.cond)}; ${showExpr(e.body)}`;
    case 'not':
      return `(! ${showExpr(e.e)})`;
    case 'binary':
      return `(${showExpr(e.e1)} ${e.op} ${showExpr(e.e2)})`;
    case 'concatStrings':
      return '(' + e.es.map(showExpr).join(' + ') + ')';
    case 'curPos':
      return '__curPos';
  }
}
