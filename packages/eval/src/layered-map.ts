/**
 * A read-only Map made of a large `base` and a small `overlay` (overlay wins), used for `a // b`
 * when `a` is large and `b` small: the update then copies only the overlay instead of all of `a`.
 * Any code treating `NixAttrs.map` as a read-only Map works on it; mutating methods throw.
 */
import type { Lazy } from './value';

const LAYERS = Symbol('layers');

interface Layers {
  base: Map<string, Lazy>;
  overlay: Map<string, Lazy>;
}

/** Smallest set for which `//` layers instead of copying. */
const LAYER_MIN = 256;

function readOnly(): never {
  throw new Error('m eval: attribute set maps are read-only');
}

function layered(base: Map<string, Lazy>, overlay: Map<string, Lazy>, size: number): Map<string, Lazy> {
  function* entries(): IterableIterator<[string, Lazy]> {
    for (const [k, v] of base) yield [k, overlay.has(k) ? overlay.get(k)! : v];
    for (const e of overlay) if (!base.has(e[0])) yield e;
  }
  function* keys(): IterableIterator<string> {
    for (const e of entries()) yield e[0];
  }
  function* values(): IterableIterator<Lazy> {
    for (const e of entries()) yield e[1];
  }
  const m = {
    [LAYERS]: { base, overlay } satisfies Layers,
    size,
    get: (k: string): Lazy | undefined => {
      const v = overlay.get(k);
      return v !== undefined ? v : base.get(k);
    },
    has: (k: string): boolean => overlay.has(k) || base.has(k),
    entries,
    keys,
    values,
    [Symbol.iterator]: entries,
    forEach(cb: (v: Lazy, k: string, map: Map<string, Lazy>) => void): void {
      for (const [k, v] of entries()) cb(v, k, m as unknown as Map<string, Lazy>);
    },
    set: readOnly,
    delete: readOnly,
    clear: readOnly,
    [Symbol.toStringTag]: 'Map',
  };
  return m as unknown as Map<string, Lazy>;
}

/** The map of `a // b`: layered when `a` is large and `b` comparatively small, else a plain copy. */
export function mergeMaps(a: Map<string, Lazy>, b: Map<string, Lazy>): Map<string, Lazy> {
  if (a.size >= LAYER_MIN && b.size * 16 <= a.size) {
    const la = (a as unknown as { [LAYERS]?: Layers })[LAYERS];
    const base = la ? la.base : a;
    const overlay = la ? new Map(la.overlay) : new Map<string, Lazy>();
    for (const [k, v] of b) overlay.set(k, v);
    if (overlay.size * 8 <= base.size) {
      let size = base.size;
      for (const k of overlay.keys()) if (!base.has(k)) size++;
      return layered(base, overlay, size);
    }
  }
  const map = new Map(a);
  for (const [k, v] of b) map.set(k, v);
  return map;
}
