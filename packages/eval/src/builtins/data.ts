/** Data formats: fromJSON, toJSON, fromTOML, toXML. */
import { isMError } from '@m/core';
import type { Pos } from '@m/lang';
import { forceStringNoCtx, mkAttrs, mkString, type BuiltinDef, type Lazy, type Value } from './api';
import { parseJson, type JsonValue } from '../pure/json';
import { parseJsonFast } from '../pure/json-fast';
import { parseToml, type TomlValue } from '../pure/toml';
import { valueToJSON } from '../to-json';
import { valueToXML } from '../to-xml';

/** A parsed JSON/TOML document as a Nix value (objects/tables become sets). */
function plainToValue(x: JsonValue | TomlValue): Value {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) {
    const out = new Array<Lazy>(x.length);
    for (let i = 0; i < x.length; i++) out[i] = plainToValue(x[i]);
    return out;
  }
  const map = new Map<string, Lazy>();
  for (const k of Object.keys(x)) map.set(k, plainToValue((x as Record<string, JsonValue>)[k]));
  return mkAttrs(map);
}

const mkSet = (map: Map<string, unknown>): Value => mkAttrs(map as Map<string, Lazy>);

function withPos<T>(pos: Pos | undefined, f: () => T, trace?: string): T {
  try {
    return f();
  } catch (e) {
    if (isMError(e)) {
      if (e.pos === undefined && pos !== undefined && trace === undefined) e.pos = pos;
      if (trace !== undefined) e.addTrace(trace, pos);
    }
    throw e;
  }
}

export const dataBuiltins: BuiltinDef[] = [
  {
    name: '__fromJSON',
    arity: 1,
    fn: (args, _c, pos) => {
      const s = forceStringNoCtx(args[0], pos);
      const fast = parseJsonFast(s, mkSet) as Value | undefined;
      if (fast !== undefined) return fast;
      return plainToValue(withPos(pos, () => parseJson(s), 'while decoding a JSON string'));
    },
  },
  {
    name: '__toJSON',
    arity: 1,
    fn: (args, _c, pos) => {
      const ctx = new Set<string>();
      const s = valueToJSON(args[0], true, ctx, pos);
      return mkString(s, ctx);
    },
  },
  {
    name: 'fromTOML',
    arity: 1,
    fn: (args, _c, pos) => {
      const s = forceStringNoCtx(args[0], pos);
      return plainToValue(withPos(pos, () => parseToml(s)));
    },
  },
  {
    name: '__toXML',
    arity: 1,
    fn: (args, _c, pos) => {
      const ctx = new Set<string>();
      const s = valueToXML(args[0], { strict: true, location: false }, ctx, pos);
      return mkString(s, ctx);
    },
  },
];
