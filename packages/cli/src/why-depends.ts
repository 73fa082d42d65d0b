/**
 * `why-depends` printing in the layout of `nix why-depends` (Nix 2.8, without --precise): the
 * package path, then a tree of reference edges towards the dependency, shortest routes first;
 * without `all` only one shortest chain. Like Nix, every tree line ends in ANSI_NORMAL.
 */
import { MError } from '@m/core';
import type { Store } from '@m/store';
import { compareBytes } from './nix-json';

const TREE_CONN = '├───';
const TREE_LAST = '└───';
const TREE_LINE = '│   ';
const TREE_NULL = '    ';
const ANSI_NORMAL = '\x1b[0m';
const ANSI_GREY = '\x1b[38;5;244m';

export interface WhyDependsOutput {
  stdout: string;
  /** Set when `pkg` does not depend on `dep` (Nix prints it as an error and exits 0). */
  notDependent?: string;
}

export function whyDependsText(store: Store, pkg: string, dep: string, all: boolean): WhyDependsOutput {
  for (const p of [pkg, dep]) if (!store.isValid(p)) throw new MError('STORE_ERROR', `path '${p}' is not valid`);
  const closure = store.closure([pkg]);
  if (!closure.includes(dep)) return { stdout: '', notDependent: `'${pkg}' does not depend on '${dep}'` };

  const refs = new Map<string, string[]>();
  const rrefs = new Map<string, string[]>();
  for (const p of closure) {
    refs.set(p, [...store.references(p)].sort(compareBytes));
    rrefs.set(p, []);
  }
  for (const p of closure) for (const r of refs.get(p)!) rrefs.get(r)?.push(p);

  // Distances to `dep` along reversed edges (all edges weigh 1: a breadth-first search).
  const dist = new Map<string, number>([[dep, 0]]);
  const queue = [dep];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const r of rrefs.get(p)!) if (!dist.has(r)) {
      dist.set(r, dist.get(p)! + 1);
      queue.push(r);
    }
  }

  let out = pkg + '\n';
  const visited = new Set<string>();
  const bail = Symbol('bail');
  const printNode = (node: string, firstPad: string, tailPad: string): void => {
    if (node === dep && !all && pkg !== dep) throw bail;
    if (visited.has(node)) return;
    // References that lead to `dep`, nearest first (stable: path order among equals).
    const next = refs
      .get(node)!
      .filter((r) => (r !== node || pkg === dep) && dist.has(r))
      .map((r, i) => ({ r, d: dist.get(r)!, i }))
      .sort((a, b) => a.d - b.d || a.i - b.i);
    next.forEach(({ r }, k) => {
      const last = all ? k === next.length - 1 : true;
      out += `${firstPad}${visited.has(r) ? ANSI_GREY : ''}${last ? TREE_LAST : TREE_CONN}${r}${ANSI_NORMAL}\n`;
      visited.add(node);
      const pad = tailPad + (last ? TREE_NULL : TREE_LINE);
      printNode(r, pad, pad);
    });
  };
  try {
    printNode(pkg, '', '');
  } catch (e) {
    if (e !== bail) throw e;
  }
  return { stdout: out };
}
