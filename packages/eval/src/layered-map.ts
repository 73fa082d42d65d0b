/**
 * A read-only Map made of a short stack of plain Maps ("layers", bottom to top; a higher layer
 * wins), used for `a // b` so that an update does not copy the larger operand. Any code treating
 * `NixAttrs.map` as a read-only Map works on it; mutating methods throw.
 *
 * Contract: the Map of a NixAttrs is never mutated once the set exists, so layers can be shared.
 * Iteration order equals that of the copied Map (`new Map(a)` then `set` of every entry of `b`):
 * each name appears where it first appears from the bottom, with the topmost value.
 * Cost: `get`/`has` are O(depth); a merge costs O(min(|a|, |b|) · depth) plus the copying of
 * top layers of similar size, and flattens the stack into one Map (O(n)) beyond MAX_DEPTH.
 */
import type { Lazy } from './value';

const LAYERS = Symbol('layers');

/** Deepest layer stack; deeper merges flatten. */
const MAX_DEPTH = 10;
/** Updates whose result has fewer attributes than this are plain copies. */
const LAYER_MIN = 64;

type AttrMap = Map<string, Lazy>;

function readOnly(): never {
  throw new Error('m eval: attribute set maps are read-only');
}

function layersOf(m: AttrMap): readonly AttrMap[] | undefined {
  return (m as unknown as { [LAYERS]?: readonly AttrMap[] })[LAYERS];
}

function layered(layers: readonly AttrMap[], size: number): AttrMap {
  const depth = layers.length;
  const top = depth - 1;
  const get = (k: string): Lazy | undefined => {
    for (let i = top; i >= 0; i--) {
      const v = layers[i].get(k);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  function* entries(): IterableIterator<[string, Lazy]> {
    for (let i = 0; i < depth; i++) {
      outer: for (const e of layers[i]) {
        const k = e[0];
        for (let j = 0; j < i; j++) if (layers[j].has(k)) continue outer;
        let v = e[1];
        for (let j = top; j > i; j--) {
          const w = layers[j].get(k);
          if (w !== undefined) {
            v = w;
            break;
          }
        }
        yield [k, v];
      }
    }
  }
  function* keys(): IterableIterator<string> {
    for (let i = 0; i < depth; i++) {
      outer: for (const k of layers[i].keys()) {
        for (let j = 0; j < i; j++) if (layers[j].has(k)) continue outer;
        yield k;
      }
    }
  }
  function* values(): IterableIterator<Lazy> {
    for (const e of entries()) yield e[1];
  }
  const m = {
    [LAYERS]: layers,
    size,
    get,
    has: (k: string): boolean => {
      for (let i = top; i >= 0; i--) if (layers[i].has(k)) return true;
      return false;
    },
    entries,
    keys,
    values,
    [Symbol.iterator]: entries,
    forEach(cb: (v: Lazy, k: string, map: AttrMap) => void): void {
      for (const [k, v] of entries()) cb(v, k, m as unknown as AttrMap);
    },
    set: readOnly,
    delete: readOnly,
    clear: readOnly,
    [Symbol.toStringTag]: 'Map',
  };
  return m as unknown as AttrMap;
}

/** A plain Map with the entries of `a` then those of `b` (b wins). */
function copyMerge(a: AttrMap, b: AttrMap): AttrMap {
  const la = layersOf(a);
  let map: AttrMap;
  if (la === undefined) map = new Map(a);
  else {
    map = new Map(la[0]);
    for (let i = 1; i < la.length; i++) for (const e of la[i]) map.set(e[0], e[1]);
  }
  const lb = layersOf(b);
  if (lb === undefined) for (const e of b) map.set(e[0], e[1]);
  else for (const l of lb) for (const e of l) map.set(e[0], e[1]);
  return map;
}

/** Number of names present in both maps (iterates the smaller one). */
function overlap(a: AttrMap, b: AttrMap): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let n = 0;
  for (const k of small.keys()) if (big.has(k)) n++;
  return n;
}

/** The map of `a // b` (both non-empty): layered when the smaller side is comparatively small, else a plain copy. */
export function mergeMaps(a: AttrMap, b: AttrMap): AttrMap {
  if (a.size + b.size < LAYER_MIN || Math.min(a.size, b.size) * 4 > Math.max(a.size, b.size)) {
    return copyMerge(a, b);
  }
  const layers = (layersOf(a) ?? [a]).concat(layersOf(b) ?? [b]);
  // Keep layer sizes decreasing geometrically towards the top (like a binary counter), so a long
  // run of small updates costs O(log n) copies per attribute instead of growing the stack.
  // A much smaller layer under a big one (`small // big`) stays a layer of its own: merging them
  // would copy the big one.
  while (
    layers.length >= 2 &&
    layers[layers.length - 2].size <= 2 * layers[layers.length - 1].size &&
    layers[layers.length - 2].size * 16 >= layers[layers.length - 1].size
  ) {
    const up = layers.pop()!;
    const merged = new Map(layers.pop()!);
    for (const e of up) merged.set(e[0], e[1]);
    layers.push(merged);
  }
  if (layers.length > MAX_DEPTH) return copyMerge(a, b);
  if (layers.length === 1) return layers[0];
  return layered(layers, a.size + b.size - overlap(a, b));
}
