/**
 * JSON in the exact layout of Nix 2.8's own writer (libutil/json.cc) with indentation: two spaces
 * per level, `"key": value`, empty containers as `{}` / `[]`; strings escape `"` `\` and control
 * characters (\n \r \t by name, the others as \u00xx), everything else is written as is.
 */
import { compareUtf8 } from '@m/nix-compat';

/** An object keeps its keys in the given order (Nix writes std::map order: sort them first). */
export type NixJson = string | number | boolean | null | NixJson[] | { entries: [string, NixJson][] };

export function nixJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function write(v: NixJson, depth: number): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return nixJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const pad = '\n' + '  '.repeat(depth + 1);
  const close = '\n' + '  '.repeat(depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => pad + write(x, depth + 1)).join(',') + close + ']';
  }
  if (v.entries.length === 0) return '{}';
  return '{' + v.entries.map(([k, x]) => pad + nixJsonString(k) + ': ' + write(x, depth + 1)).join(',') + close + '}';
}

/** The indented text (without a trailing newline). */
export function printNixJson(v: NixJson): string {
  return write(v, 0);
}

/** Byte-wise comparison of Nix strings (the order of Nix's std::map<std::string, …>). */
export const compareBytes: (a: string, b: string) => number = compareUtf8;

export function sortedEntries<T>(m: Iterable<[string, T]>): [string, T][] {
  return [...m].sort((x, y) => compareBytes(x[0], y[0]));
}
