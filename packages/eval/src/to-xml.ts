/**
 * Values as XML, exactly as Nix 2.8's value-to-xml.cc writes them (builtins.toXML and
 * `nix-instantiate --eval --xml`). `location` adds `path`/`line`/`column` of attributes and
 * lambdas; `strict` forces values (otherwise unevaluated thunks print as `<unevaluated />`).
 * The string context of every string written is added to `ctx`.
 */
import type { Pos } from '@m/lang';
import { compareUtf8 } from '@m/nix-compat';
import { attrPos, force } from './eval';
import { isDerivation } from './equal';
import { formatFloat } from './pure/float';
import { createXmlWriter, type XmlAttrs, type XmlWriter } from './pure/strings';
import { K_ATTRS, K_LAMBDA, K_PATH, K_STRING, K_THUNK, type Lazy, type NixAttrs, type Thunk, type Value } from './value';

export interface ToXMLOptions {
  strict: boolean;
  location: boolean;
}

/** The file name Nix records in a position (for `-E` strings Nix records the source text itself). */
function posAttrs(attrs: XmlAttrs, pos: Pos): void {
  attrs.path = pos.file;
  attrs.line = String(pos.line);
  attrs.column = String(pos.column);
}

/** Byte order of names, as Nix's std::string comparisons. */
const byName = compareUtf8;

export function valueToXML(v: Lazy, opts: ToXMLOptions, ctx: Set<string>, pos?: Pos): string {
  const doc = createXmlWriter(true);
  doc.openElement('expr');
  const drvsSeen = new Set<string>();
  writeValue(doc, v, opts, ctx, drvsSeen, pos);
  return doc.finish();
}

/** A value without forcing it (an evaluated thunk yields its value, an unevaluated one undefined). */
function peek(v: Lazy): Value | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.k === K_THUNK) return (v as Thunk).v;
  return v as Value;
}

function stringOf(v: Value | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.k === K_STRING) return v.s;
  return undefined;
}

function writeAttrs(doc: XmlWriter, a: NixAttrs, opts: ToXMLOptions, ctx: Set<string>, drvsSeen: Set<string>): void {
  for (const name of [...a.map.keys()].sort(byName)) {
    const xa: XmlAttrs = { name };
    const p = attrPos(a, name);
    if (opts.location && p !== undefined) posAttrs(xa, p);
    doc.openElement('attr', xa);
    writeValue(doc, a.map.get(name)!, opts, ctx, drvsSeen, p);
    doc.closeElement();
  }
}

function writeValue(
  doc: XmlWriter,
  lazy: Lazy,
  opts: ToXMLOptions,
  ctx: Set<string>,
  drvsSeen: Set<string>,
  pos: Pos | undefined,
): void {
  const v = opts.strict ? force(lazy, pos) : peek(lazy);
  if (v === undefined) {
    doc.writeEmptyElement('unevaluated');
    return;
  }
  if (v === null) {
    doc.writeEmptyElement('null');
    return;
  }
  switch (typeof v) {
    case 'bigint':
      doc.writeEmptyElement('int', { value: v.toString() });
      return;
    case 'boolean':
      doc.writeEmptyElement('bool', { value: v ? 'true' : 'false' });
      return;
    case 'number':
      doc.writeEmptyElement('float', { value: formatFloat(v) });
      return;
    case 'string':
      doc.writeEmptyElement('string', { value: v });
      return;
  }
  if (Array.isArray(v)) {
    doc.openElement('list');
    for (let i = 0; i < v.length; i++) writeValue(doc, v[i], opts, ctx, drvsSeen, pos);
    doc.closeElement();
    return;
  }
  switch (v.k) {
    case K_STRING:
      for (const c of v.ctx) ctx.add(c);
      doc.writeEmptyElement('string', { value: v.s });
      return;
    case K_PATH:
      doc.writeEmptyElement('path', { value: v.path });
      return;
    case K_ATTRS: {
      if (isDerivation(v)) {
        const xa: XmlAttrs = {};
        let drvPath = '';
        const dp = v.map.get('drvPath');
        if (dp !== undefined) {
          const s = stringOf(opts.strict ? force(dp, attrPos(v, 'drvPath')) : peek(dp));
          if (s !== undefined) xa.drvPath = drvPath = s;
        }
        const op = v.map.get('outPath');
        if (op !== undefined) {
          const s = stringOf(opts.strict ? force(op, attrPos(v, 'outPath')) : peek(op));
          if (s !== undefined) xa.outPath = s;
        }
        doc.openElement('derivation', xa);
        if (drvPath !== '' && !drvsSeen.has(drvPath)) {
          drvsSeen.add(drvPath);
          writeAttrs(doc, v, opts, ctx, drvsSeen);
        } else doc.writeEmptyElement('repeated');
        doc.closeElement();
        return;
      }
      doc.openElement('attrs');
      writeAttrs(doc, v, opts, ctx, drvsSeen);
      doc.closeElement();
      return;
    }
    case K_LAMBDA: {
      const fn = v.fn;
      const xa: XmlAttrs = {};
      if (opts.location) posAttrs(xa, fn.pos);
      doc.openElement('function', xa);
      if (fn.formals !== undefined) {
        const pa: XmlAttrs = {};
        if (fn.arg !== undefined && fn.arg !== '') pa.name = fn.arg;
        if (fn.formals.ellipsis) pa.ellipsis = '1';
        doc.openElement('attrspat', pa);
        for (const name of fn.formals.formals.map((f) => f.name).sort(byName)) doc.writeEmptyElement('attr', { name });
        doc.closeElement();
      } else doc.writeEmptyElement('varpat', { name: fn.arg ?? '' });
      doc.closeElement();
      return;
    }
    default:
      doc.writeEmptyElement('unevaluated');
  }
}
