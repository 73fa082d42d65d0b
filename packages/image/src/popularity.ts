/**
 * Closure computation and the "popularity contest" ordering of store paths that nixpkgs'
 * buildLayeredImage uses (pkgs/build-support/references-by-popularity/closure-graph.py),
 * re-derived here:
 *
 * - Self-references are dropped. The graph is unfolded into a tree from its roots (a path reached
 *   along k distinct reference chains appears k times).
 * - Bottom up, a node with children c₁…cₙ gets the score map
 *     S(node) = Σᵢ ( {cᵢ: 1} + { p: S(cᵢ)[p] + 1 for p in S(cᵢ) } ),
 *   i.e. every child counts 1 and everything below a child counts its own score plus one per
 *   level it is lifted. The popularity of a path is its entry in S(virtual top), where the virtual
 *   top's children are the contest roots.
 * - Order: popularity descending; ties broken by the "package name" key, which is the path with its
 *   `<storeDir>/<hash>` head moved to the end (`<name>-<storeDir>/<hash>`; precisely: split on '-',
 *   move the first piece last, re-join with '-'), compared ascending by code unit. So equally
 *   popular paths are ordered by name, then by hash, and the order never depends on input order.
 * - Paths of the closure that the unfolding did not reach (impossible in an acyclic store graph)
 *   follow in ascending path order.
 *
 * Like nixpkgs' streamLayeredImage, the contest roots are two virtual nodes, excluded from the
 * result: the customisation layer (children: the image's `layers` roots) and the config JSON
 * (children: store paths mentioned in the config). Using the roots themselves as children (rather
 * than only the graph's unreferenced paths, as the bare script would) means a root that another
 * root also references is counted on both accounts, as nixpkgs does.
 */
import { MError } from '@m/core';

export type ReferenceGraph = ReadonlyMap<string, readonly string[]>;

/** All paths reachable from `roots` (including them) in `graph`; MError if one is missing. */
export function closureOf(roots: readonly string[], graph: ReferenceGraph): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    const refs = graph.get(p);
    if (refs === undefined)
      throw new MError('STORE_ERROR', `store path '${p}' is in the image's closure but not in its reference graph`, {
        hint: 'pass the references of every path of the closure',
      });
    seen.add(p);
    for (const r of refs) if (!seen.has(r)) stack.push(r);
  }
  return seen;
}

/** The tie-break key of closure-graph.py: the first '-'-separated piece moved to the end. */
export function packageNameKey(path: string): string {
  const parts = path.split('-');
  const head = parts.shift()!;
  parts.push(head);
  return parts.join('-');
}

/**
 * Popularity of every path below the virtual tops `tops` (each a list of child paths).
 * Scores are memoised per path, so each path's map is built once (cost Σ over paths of the size
 * of their closures).
 */
export function popularity(tops: readonly (readonly string[])[], graph: ReferenceGraph): Map<string, number> {
  const memo = new Map<string, Map<string, number>>();
  const inProgress = new Set<string>();
  const childrenOf = (p: string): string[] => [...new Set(graph.get(p) ?? [])].filter((r) => r !== p);

  const addChildScores = (into: Map<string, number>, children: readonly string[]): void => {
    for (const c of children) {
      into.set(c, (into.get(c) ?? 0) + 1);
      for (const [p, n] of scoreOf(c)) into.set(p, (into.get(p) ?? 0) + n + 1);
    }
  };
  const scoreOf = (p: string): Map<string, number> => {
    const cached = memo.get(p);
    if (cached !== undefined) return cached;
    if (inProgress.has(p)) throw new MError('STORE_ERROR', `reference cycle through store path '${p}'`);
    inProgress.add(p);
    const s = new Map<string, number>();
    addChildScores(s, childrenOf(p));
    inProgress.delete(p);
    memo.set(p, s);
    return s;
  };

  const total = new Map<string, number>();
  for (const children of tops) {
    // A virtual top is counted like a real node: its own subtree scores, lifted by one.
    const s = new Map<string, number>();
    addChildScores(s, children);
    for (const [p, n] of s) total.set(p, (total.get(p) ?? 0) + n + 1);
  }
  return total;
}

/**
 * The closure of `tops`' children ordered most popular first (see the module comment).
 * `tops` are the virtual contest roots, e.g. [layersRoots, configPaths].
 */
export function orderByPopularity(tops: readonly (readonly string[])[], graph: ReferenceGraph): string[] {
  const closure = closureOf(tops.flat(), graph);
  const pop = popularity(tops, graph);
  const keyed = [...pop.keys()].map((p) => ({ p, n: pop.get(p)!, key: packageNameKey(p) }));
  keyed.sort((a, b) => (a.n !== b.n ? b.n - a.n : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const ordered = keyed.map((k) => k.p);
  const missing = [...closure].filter((p) => !pop.has(p)).sort();
  return [...ordered, ...missing];
}
