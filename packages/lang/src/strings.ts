/** String literal processing: escapes and indented-string indentation stripping (parser.y). */
import type { Expr, Pos } from './ast';

/** Processes `\n`, `\r`, `\t`, `\x` escapes and turns CR and CR/LF into LF. */
export function unescapeStr(s: string): string {
  if (s.indexOf('\\') < 0 && s.indexOf('\r') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const d = s[++i];
      if (d === undefined) break;
      out += d === 'n' ? '\n' : d === 'r' ? '\r' : d === 't' ? '\t' : d;
    } else if (c === '\r') {
      out += '\n';
      if (s[i + 1] === '\n') i++;
    } else out += c;
  }
  return out;
}

/**
 * One piece of an indented string: raw text (`indent`: takes part in stripping), or `${e}`;
 * `pos`: where the piece starts (its token, or the `${`).
 */
export type IndPart = ({ text: string; indent: boolean; e?: undefined } | { text?: undefined; e: Expr }) & { pos?: Pos };

/**
 * Nix's stripIndentation: removes the smallest indentation of all lines (whitespace-only lines
 * ignored; interpolations and escapes end a line's indentation), and drops a final line made only
 * of spaces when the string is a single piece.
 */
export function stripIndentation(parts: IndPart[], pos: Pos): Expr {
  if (parts.length === 0) return { kind: 'string', value: '' };

  let atStartOfLine = true;
  let minIndent = 1000000;
  let curIndent = 0;
  for (const p of parts) {
    if (p.text === undefined || !p.indent) {
      if (atStartOfLine) {
        atStartOfLine = false;
        if (curIndent < minIndent) minIndent = curIndent;
      }
      continue;
    }
    const s = p.text;
    for (let j = 0; j < s.length; j++) {
      const c = s[j];
      if (atStartOfLine) {
        if (c === ' ') curIndent++;
        else if (c === '\n') curIndent = 0;
        else {
          atStartOfLine = false;
          if (curIndent < minIndent) minIndent = curIndent;
        }
      } else if (c === '\n') {
        atStartOfLine = true;
        curIndent = 0;
      }
    }
  }

  const es: Expr[] = [];
  const esPos: Pos[] = [];
  atStartOfLine = true;
  let curDropped = 0;
  let n = parts.length;
  for (const p of parts) {
    if (p.pos !== undefined) esPos.push(p.pos);
    if (p.text === undefined) {
      atStartOfLine = false;
      curDropped = 0;
      es.push(p.e);
    } else {
      const s = p.text;
      // The text minus the dropped indentation, copied a run of kept characters at a time.
      let s2 = '';
      let from = 0;
      for (let j = 0; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (atStartOfLine) {
          if (c === 32 /* space */) {
            if (curDropped++ < minIndent) {
              if (j > from) s2 += s.slice(from, j);
              from = j + 1;
            }
          } else if (c === 10 /* \n */) curDropped = 0;
          else {
            atStartOfLine = false;
            curDropped = 0;
          }
        } else if (c === 10) atStartOfLine = true;
      }
      s2 = from === 0 ? s : s2 + s.slice(from);
      if (n === 1) {
        const nl = s2.lastIndexOf('\n');
        if (nl >= 0 && /^ *$/.test(s2.slice(nl + 1))) s2 = s2.slice(0, nl + 1);
      }
      es.push({ kind: 'string', value: s2 });
    }
    n--;
  }
  if (es.length === 1 && es[0]!.kind === 'string') return es[0]!;
  if (esPos.length === es.length) return { kind: 'concatStrings', forceString: true, es, esPos, pos };
  return { kind: 'concatStrings', forceString: true, es, pos };
}
