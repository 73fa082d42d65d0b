/**
 * `inputs.nixpkgs`: a set with one attribute per host package, each a lazy value importing that
 * package into the store (with @m/hostpkgs) only when it is used. A package looks like a built
 * derivation: `{ type = "derivation"; name; outPath; … }` whose outPath carries the store path as
 * string context, so builds using it get its closure in their sandbox.
 */
import { type HostPkgEvent, importHostPackage, listHostPackages } from '@m/hostpkgs';
import { type Lazy, type NixAttrs, type Value, mkAttrs, mkLazy, mkString } from '@m/eval';
import type { Store } from '@m/store';

export interface HostInputsOptions {
  store: Store;
  onEvent?: (e: HostPkgEvent) => void;
  /** Called once per imported package (the cache records the dpkg database as a dependency). */
  onImport?: (name: string, storePath: string) => void;
}

/** A store path presented as a derivation value. */
export function storePathValue(storePath: string, name: string): NixAttrs {
  const map = new Map<string, Lazy>();
  const self = mkAttrs(map);
  map.set('type', 'derivation');
  map.set('name', name);
  map.set('outPath', mkString(storePath, new Set([storePath])));
  map.set('outputName', 'out');
  map.set('outputs', ['out']);
  map.set('out', self);
  map.set('all', [self]);
  return self;
}

/** Without a package list (no dpkg), any name is looked up on demand (a program on PATH). */
function onDemandMap(make: (name: string) => Lazy): Map<string, Lazy> {
  const m = new Map<string, Lazy>();
  const get = m.get.bind(m);
  m.get = (name: string): Lazy | undefined => {
    let v = get(name);
    if (v === undefined) m.set(name, (v = make(name)));
    return v;
  };
  m.has = () => true;
  return m;
}

export function hostPackagesValue(opts: HostInputsOptions): Lazy {
  const entry = (name: string): Lazy =>
    mkLazy(() => {
      const r = importHostPackage(opts.store, name, { onEvent: opts.onEvent });
      opts.onImport?.(name, r.storePath);
      const base = r.storePath.slice(r.storePath.lastIndexOf('/') + 1 + 33);
      return storePathValue(r.storePath, base);
    });
  return mkLazy((): Value => {
    const names = listHostPackages();
    if (names.length === 0) return mkAttrs(onDemandMap(entry));
    return mkAttrs(new Map(names.map((n) => [n, entry(n)])));
  });
}
